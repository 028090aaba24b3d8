// The KVNamespace a loaded Worker sees (module `__workerhive/kv-namespace.js`, imported by the
// bindings module in the Worker's own isolate). It speaks to the host's KvNamespace entrypoint with
// fetch() alone: a Fetcher's fetch() exists under every compatibility date and flag, while RPC
// methods on a binding need the `rpc` behaviour (2024-04-03); without it `env.KV.get(k)` would be
// Fetcher.get(), an HTTP GET of `k`. The host forwards each call to Node's KV handlers
// (../internal.ts) under the namespace of the binding's props, never the request's.
// Runs in the customer's isolate: it imports nothing (a test keeps these constants equal to wire.ts).

export const KV_ORIGIN = 'http://kv.workerhive.invalid/'
export const KV_METADATA_HEADER = 'x-kv-metadata'

const KV_TYPES = ['text', 'json', 'arrayBuffer', 'stream'] as const
type KvType = (typeof KV_TYPES)[number]
type KvGetOptions = KvType | { type?: KvType; cacheTtl?: number } | undefined
type KvRead = { value: unknown; metadata: unknown; cacheStatus: null }

function kvTypeOf(options: KvGetOptions): KvType {
  const type = typeof options === 'string' ? options : options?.type
  if (type === undefined) return 'text'
  if (KV_TYPES.includes(type)) return type
  throw new TypeError('Unknown response type. Possible types are "text", "arrayBuffer", "json", and "stream".')
}

function kvCacheTtlOf(options: KvGetOptions): number | undefined {
  return typeof options === 'object' && options !== null && options.cacheTtl !== undefined ? options.cacheTtl : undefined
}

async function kvFailed(op: string, res: Response): Promise<Error> {
  const text = await res.text()
  return new Error('KV ' + op + ' failed: ' + res.status + ' ' + (text || res.statusText))
}

function kvBytes(value: unknown): Uint8Array | undefined {
  if (value instanceof ArrayBuffer) return new Uint8Array(value)
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength)
  return undefined
}

class KVNamespace {
  #raw: Fetcher
  constructor(raw: Fetcher) {
    this.#raw = raw
  }

  #call(path: string, query: Record<string, string>, init?: RequestInit): Promise<Response> {
    return this.#raw.fetch(KV_ORIGIN + path + '?' + new URLSearchParams(query), init)
  }

  async get(key: unknown, options?: KvGetOptions): Promise<unknown> {
    const type = kvTypeOf(options)
    if (Array.isArray(key)) return this.#readMany(key, type, kvCacheTtlOf(options), false)
    return (await this.#read(String(key), type, kvCacheTtlOf(options))).value
  }

  async getWithMetadata(key: unknown, options?: KvGetOptions): Promise<unknown> {
    const type = kvTypeOf(options)
    if (Array.isArray(key)) return this.#readMany(key, type, kvCacheTtlOf(options), true)
    return this.#read(String(key), type, kvCacheTtlOf(options))
  }

  async put(key: unknown, value: unknown, options: { expiration?: unknown; expirationTtl?: unknown; metadata?: unknown } = {}): Promise<void> {
    const query: Record<string, string> = { key: String(key) }
    if (options?.expiration !== undefined) query.expiration = String(options.expiration)
    if (options?.expirationTtl !== undefined) query.expiration_ttl = String(options.expirationTtl)
    const headers: Record<string, string> = {}
    if (options?.metadata !== undefined) headers[KV_METADATA_HEADER] = JSON.stringify(options.metadata)
    let body: BodyInit | undefined
    if (typeof value === 'string' || value instanceof ReadableStream) body = value
    else body = kvBytes(value)
    if (body === undefined) throw new TypeError('KV put() accepts only strings, ArrayBuffers, ArrayBufferViews, and ReadableStreams as values.')
    const res = await this.#call('value', query, { method: 'PUT', headers, body })
    if (!res.ok) throw await kvFailed('PUT', res)
    await res.body?.cancel()
  }

  async delete(key: unknown): Promise<void> {
    const res = await this.#call('value', { key: String(key) }, { method: 'DELETE' })
    if (!res.ok) throw await kvFailed('DELETE', res)
    await res.body?.cancel()
  }

  async list(options: { prefix?: unknown; limit?: unknown; cursor?: unknown } = {}): Promise<unknown> {
    const query: Record<string, string> = {}
    if (options?.prefix) query.prefix = String(options.prefix)
    if (options?.limit !== undefined) query.limit = String(options.limit)
    if (options?.cursor) query.cursor = String(options.cursor)
    const res = await this.#call('keys', query)
    if (!res.ok) throw await kvFailed('LIST', res)
    return { ...(await res.json<object>()), cacheStatus: null }
  }

  async #read(key: string, type: KvType, cacheTtl: number | undefined): Promise<KvRead> {
    const res = await this.#call('value', cacheTtl === undefined ? { key } : { key, cache_ttl: String(cacheTtl) })
    if (res.status === 404) {
      await res.body?.cancel()
      return { value: null, metadata: null, cacheStatus: null }
    }
    if (!res.ok) throw await kvFailed('GET', res)
    const rawMeta = res.headers.get(KV_METADATA_HEADER)
    const metadata: unknown = rawMeta ? JSON.parse(rawMeta) : null
    let value: unknown
    if (type === 'stream') value = res.body
    else if (type === 'arrayBuffer') value = await res.arrayBuffer()
    else if (type === 'json') value = JSON.parse(await res.text())
    else value = await res.text()
    return { value, metadata, cacheStatus: null }
  }

  // Cloudflare's bulk get: one call, text or json values, a Map in the order asked.
  async #readMany(keys: unknown[], type: KvType, cacheTtl: number | undefined, withMetadata: boolean): Promise<Map<unknown, unknown>> {
    const body = JSON.stringify({ keys, type, withMetadata, ...(cacheTtl === undefined ? {} : { cacheTtl }) })
    const res = await this.#call('bulk/get', {}, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
    if (!res.ok) throw await kvFailed('GET_BULK', res)
    const values = await res.json<Record<string, { value: unknown; metadata: unknown } | null>>()
    const out = new Map<unknown, unknown>()
    for (const key of keys) {
      const found = values[String(key)] ?? null
      out.set(key, withMetadata && found !== null ? { value: found.value, metadata: found.metadata } : found)
    }
    return out
  }
}

export function kvNamespaceOf(raw: Fetcher): KVNamespace {
  return new KVNamespace(raw)
}
