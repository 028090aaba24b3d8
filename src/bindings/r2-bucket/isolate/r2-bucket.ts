// The R2Bucket a loaded Worker sees (module `__workerhive/r2-bucket.js`, imported by the bindings
// module in the Worker's own isolate). It speaks to the host's R2BucketBinding entrypoint with
// fetch() alone, which exists under every compatibility date and flag; bodies stream both ways.
// The host forwards each call to Node's R2 handlers (../internal.ts) under the bucket of the
// binding's props, never the request's.
// Runs in the customer's isolate: it imports nothing (a test keeps these constants equal to wire.ts).

export const R2_ORIGIN = 'http://r2.workerhive.invalid/'
export const R2_OBJECT_HEADER = 'x-r2-object'
export const R2_OPTIONS_HEADER = 'x-r2-options'
export const R2_ERROR_CODE_HEADER = 'x-r2-error-code'

const HASHES = ['md5', 'sha1', 'sha256', 'sha384', 'sha512'] as const
const HASH_BYTES: Record<(typeof HASHES)[number], number> = { md5: 16, sha1: 20, sha256: 32, sha384: 48, sha512: 64 }
const HTTP_FIELDS = ['contentType', 'contentLanguage', 'contentDisposition', 'contentEncoding', 'cacheControl', 'cacheExpiry'] as const
const HTTP_HEADERS: Record<(typeof HTTP_FIELDS)[number], string> = {
  contentType: 'content-type',
  contentLanguage: 'content-language',
  contentDisposition: 'content-disposition',
  contentEncoding: 'content-encoding',
  cacheControl: 'cache-control',
  cacheExpiry: 'expires',
}

interface WireObject {
  key: string
  version: string
  size: number
  etag: string
  httpEtag: string
  uploaded: string
  httpMetadata: Record<string, string>
  customMetadata: Record<string, string>
  checksums: Record<string, string>
  storageClass: string
  range?: { offset: number; length: number }
}

/** Cloudflare's R2Error: `<op>: <message> (<code>)`, with the code and the operation as properties. */
class R2Error extends Error {
  readonly code: number
  readonly action: string
  constructor(action: string, message: string, code: number) {
    super(`${action}: ${message} (${code})`)
    this.name = 'R2Error'
    this.code = code
    this.action = action
  }
}

async function r2Failed(action: string, res: Response): Promise<Error> {
  const text = await res.text()
  const code = Number(res.headers.get(R2_ERROR_CODE_HEADER) ?? 10001)
  return new R2Error(action, text || 'We encountered an internal error. Please try again.', code)
}

function hexOf(bytes: ArrayBuffer | ArrayBufferView): string {
  const view = bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  let out = ''
  for (const b of view) out += b.toString(16).padStart(2, '0')
  return out
}

function bytesOfHex(hex: string): ArrayBuffer {
  const out = new Uint8Array(hex.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16)
  return out.buffer
}

class R2Checksums {
  md5?: ArrayBuffer
  sha1?: ArrayBuffer
  sha256?: ArrayBuffer
  sha384?: ArrayBuffer
  sha512?: ArrayBuffer
  constructor(hex: Record<string, string>) {
    for (const name of HASHES) if (hex[name]) this[name] = bytesOfHex(hex[name])
  }
  toJSON(): Record<string, string> {
    const out: Record<string, string> = {}
    for (const name of HASHES) {
      const v = this[name]
      if (v) out[name] = hexOf(v)
    }
    return out
  }
}

function httpMetadataOf(wire: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const f of HTTP_FIELDS) {
    const v = wire[f]
    if (v !== undefined) out[f] = f === 'cacheExpiry' ? new Date(v) : v
  }
  return out
}

class R2Object {
  readonly key: string
  readonly version: string
  readonly size: number
  readonly etag: string
  readonly httpEtag: string
  readonly uploaded: Date
  readonly httpMetadata: Record<string, unknown>
  readonly customMetadata: Record<string, string>
  readonly range: { offset: number; length: number } | undefined
  readonly checksums: R2Checksums
  readonly storageClass: string
  readonly ssecKeyMd5: undefined
  constructor(w: WireObject) {
    this.key = w.key
    this.version = w.version
    this.size = w.size
    this.etag = w.etag
    this.httpEtag = w.httpEtag
    this.uploaded = new Date(w.uploaded)
    this.httpMetadata = httpMetadataOf(w.httpMetadata)
    this.customMetadata = w.customMetadata
    this.range = w.range
    this.checksums = new R2Checksums(w.checksums)
    this.storageClass = w.storageClass
  }
  writeHttpMetadata(headers: Headers): void {
    for (const f of HTTP_FIELDS) {
      const v = this.httpMetadata[f]
      if (v === undefined) continue
      headers.set(HTTP_HEADERS[f], v instanceof Date ? v.toUTCString() : String(v))
    }
  }
}

class R2ObjectBody extends R2Object {
  #response: Response
  constructor(w: WireObject, response: Response) {
    super(w)
    this.#response = response
  }
  get body(): ReadableStream {
    return this.#response.body ?? new Response('').body!
  }
  get bodyUsed(): boolean {
    return this.#response.bodyUsed
  }
  arrayBuffer(): Promise<ArrayBuffer> {
    return this.#response.arrayBuffer()
  }
  async bytes(): Promise<Uint8Array> {
    return new Uint8Array(await this.#response.arrayBuffer())
  }
  text(): Promise<string> {
    return this.#response.text()
  }
  json<T>(): Promise<T> {
    return this.#response.json<T>()
  }
  async blob(): Promise<Blob> {
    const type = this.httpMetadata.contentType
    return new Blob([await this.#response.arrayBuffer()], typeof type === 'string' ? { type } : {})
  }
}

const wireObjectOf = (res: Response): WireObject => JSON.parse(decodeURIComponent(res.headers.get(R2_OBJECT_HEADER)!)) as WireObject

function isHeaders(v: unknown): v is Headers {
  return typeof v === 'object' && v !== null && typeof (v as Headers).get === 'function' && typeof (v as Headers).entries === 'function'
}

const dateMs = (v: unknown): number | undefined => (v instanceof Date ? v.getTime() : undefined)

/** An onlyIf as the wire takes it: R2Conditional fields, or the conditional headers of a Headers. */
function conditionalOf(onlyIf: unknown): Record<string, unknown> | undefined {
  if (onlyIf === undefined || onlyIf === null) return undefined
  if (isHeaders(onlyIf)) {
    const headers: Record<string, string> = {}
    for (const name of ['if-match', 'if-none-match', 'if-modified-since', 'if-unmodified-since']) {
      const v = onlyIf.get(name)
      if (v !== null) headers[name] = v
    }
    return { headers }
  }
  if (typeof onlyIf !== 'object') throw new TypeError('onlyIf must be an R2Conditional or a Headers object')
  const c = onlyIf as Record<string, unknown>
  const out: Record<string, unknown> = {}
  if (c.etagMatches !== undefined) out.etagMatches = c.etagMatches
  if (c.etagDoesNotMatch !== undefined) out.etagDoesNotMatch = c.etagDoesNotMatch
  if (c.uploadedBefore !== undefined) out.uploadedBefore = dateMs(c.uploadedBefore)
  if (c.uploadedAfter !== undefined) out.uploadedAfter = dateMs(c.uploadedAfter)
  if (c.secondsGranularity) out.secondsGranularity = true
  return out
}

function httpMetadataWire(v: unknown): Record<string, string> | undefined {
  if (v === undefined || v === null) return undefined
  const out: Record<string, string> = {}
  if (isHeaders(v)) {
    for (const f of HTTP_FIELDS) {
      const h = v.get(HTTP_HEADERS[f])
      if (h !== null) out[f] = f === 'cacheExpiry' ? new Date(h).toISOString() : h
    }
    return out
  }
  const m = v as Record<string, unknown>
  for (const f of HTTP_FIELDS) {
    const x = m[f]
    if (x === undefined || x === null) continue
    out[f] = x instanceof Date ? x.toISOString() : String(x)
  }
  return out
}

function checksumOf(options: Record<string, unknown>): { name: string; hex: string } | undefined {
  const given = HASHES.filter((h) => options[h] !== undefined)
  if (given.length > 1) throw new TypeError('You cannot specify multiple hashing algorithms.')
  const name = given[0]
  if (!name) return undefined
  const v = options[name]
  let hex: string
  if (typeof v === 'string') hex = v.toLowerCase()
  else if (v instanceof ArrayBuffer || ArrayBuffer.isView(v)) hex = hexOf(v)
  else throw new TypeError(`${name} must be a hex string or an ArrayBuffer`)
  if (!/^[0-9a-f]*$/.test(hex) || hex.length !== HASH_BYTES[name] * 2)
    throw new TypeError(`${name} is ${hex.length / 2} bytes, expected ${HASH_BYTES[name]}`)
  return { name, hex }
}

function putBody(value: unknown): BodyInit | null {
  if (value === null || value === undefined) return null
  if (typeof value === 'string' || value instanceof ReadableStream || value instanceof Blob) return value
  if (value instanceof ArrayBuffer) return value
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength)
  throw new TypeError('put() accepts a ReadableStream, ArrayBuffer, ArrayBufferView, string, Blob or null as the value.')
}

function rangeOf(range: unknown): { range?: unknown; rangeHeader?: string } {
  if (range === undefined || range === null) return {}
  if (isHeaders(range)) {
    const h = range.get('range')
    return h === null ? {} : { rangeHeader: h }
  }
  return { range }
}

function r2Call(raw: Fetcher, path: string, query: Record<string, string>, init?: RequestInit): Promise<Response> {
  const search = new URLSearchParams(query).toString()
  return raw.fetch(R2_ORIGIN + path + (search ? '?' + search : ''), init)
}

function r2CallJson(raw: Fetcher, path: string, body: unknown): Promise<Response> {
  return r2Call(raw, path, {}, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
}

class R2MultipartUpload {
  readonly key: string
  readonly uploadId: string
  #raw: Fetcher
  constructor(raw: Fetcher, key: string, uploadId: string) {
    this.#raw = raw
    this.key = key
    this.uploadId = uploadId
  }
  async uploadPart(partNumber: number, value: unknown): Promise<{ partNumber: number; etag: string }> {
    const query = { key: this.key, upload_id: this.uploadId, part_number: String(partNumber) }
    const res = await r2Call(this.#raw, 'multipart/part', query, { method: 'PUT', body: putBody(value) })
    if (!res.ok) throw await r2Failed('uploadPart', res)
    return res.json()
  }
  async abort(): Promise<void> {
    const res = await r2CallJson(this.#raw, 'multipart/abort', { key: this.key, uploadId: this.uploadId })
    if (!res.ok) throw await r2Failed('abortMultipartUpload', res)
    await res.body?.cancel()
  }
  async complete(parts: Array<{ partNumber: number; etag: string }>): Promise<R2Object> {
    const res = await r2CallJson(this.#raw, 'multipart/complete', { key: this.key, uploadId: this.uploadId, parts })
    if (!res.ok) throw await r2Failed('completeMultipartUpload', res)
    return new R2Object(await res.json<WireObject>())
  }
}

class R2Bucket {
  #raw: Fetcher
  constructor(raw: Fetcher) {
    this.#raw = raw
  }

  #call(path: string, query: Record<string, string>, init?: RequestInit): Promise<Response> {
    return r2Call(this.#raw, path, query, init)
  }

  #callJson(path: string, body: unknown): Promise<Response> {
    return r2CallJson(this.#raw, path, body)
  }

  async head(key: unknown): Promise<R2Object | null> {
    const res = await this.#call('head', { key: String(key) })
    if (res.status === 404) return null
    if (!res.ok) throw await r2Failed('head', res)
    await res.body?.cancel()
    return new R2Object(wireObjectOf(res))
  }

  async get(key: unknown, options: { onlyIf?: unknown; range?: unknown } = {}): Promise<R2ObjectBody | R2Object | null> {
    const onlyIf = conditionalOf(options?.onlyIf)
    const res = await this.#callJson('get', { key: String(key), ...(onlyIf ? { onlyIf } : {}), ...rangeOf(options?.range) })
    if (res.status === 404) return null
    if (res.status === 412) return new R2Object(wireObjectOf(res))
    if (!res.ok) throw await r2Failed('get', res)
    return new R2ObjectBody(wireObjectOf(res), res)
  }

  async put(key: unknown, value: unknown, options: Record<string, unknown> = {}): Promise<R2Object | null> {
    const opts = options ?? {}
    const onlyIf = conditionalOf(opts.onlyIf)
    const httpMetadata = httpMetadataWire(opts.httpMetadata)
    const checksum = checksumOf(opts)
    const wire = {
      ...(httpMetadata ? { httpMetadata } : {}),
      ...(opts.customMetadata ? { customMetadata: opts.customMetadata } : {}),
      ...(checksum ? { checksum } : {}),
      ...(onlyIf ? { onlyIf } : {}),
      ...(opts.storageClass ? { storageClass: String(opts.storageClass) } : {}),
    }
    const res = await this.#call('object', { key: String(key) }, {
      method: 'PUT',
      headers: { [R2_OPTIONS_HEADER]: encodeURIComponent(JSON.stringify(wire)) },
      body: putBody(value),
    })
    if (res.status === 412) return null
    if (!res.ok) throw await r2Failed('put', res)
    return new R2Object(await res.json<WireObject>())
  }

  async delete(keys: unknown): Promise<void> {
    const list = Array.isArray(keys) ? keys.map(String) : [String(keys)]
    const res = await this.#callJson('delete', { keys: list })
    if (!res.ok) throw await r2Failed('delete', res)
    await res.body?.cancel()
  }

  async list(options: Record<string, unknown> = {}): Promise<unknown> {
    const res = await this.#callJson('list', options ?? {})
    if (!res.ok) throw await r2Failed('list', res)
    const page = await res.json<{ objects: WireObject[]; delimitedPrefixes: string[]; truncated: boolean; cursor?: string }>()
    return {
      objects: page.objects.map((o) => new R2Object(o)),
      delimitedPrefixes: page.delimitedPrefixes,
      truncated: page.truncated,
      ...(page.cursor ? { cursor: page.cursor } : {}),
    }
  }

  async createMultipartUpload(key: unknown, options: Record<string, unknown> = {}): Promise<R2MultipartUpload> {
    const httpMetadata = httpMetadataWire(options?.httpMetadata)
    const res = await this.#callJson('multipart/create', {
      key: String(key),
      ...(httpMetadata ? { httpMetadata } : {}),
      ...(options?.customMetadata ? { customMetadata: options.customMetadata } : {}),
      ...(options?.storageClass ? { storageClass: String(options.storageClass) } : {}),
    })
    if (!res.ok) throw await r2Failed('createMultipartUpload', res)
    const { uploadId } = await res.json<{ uploadId: string }>()
    return new R2MultipartUpload(this.#raw, String(key), uploadId)
  }

  resumeMultipartUpload(key: unknown, uploadId: unknown): R2MultipartUpload {
    return new R2MultipartUpload(this.#raw, String(key), String(uploadId))
  }
}

export function r2BucketOf(raw: Fetcher): R2Bucket {
  return new R2Bucket(raw)
}
