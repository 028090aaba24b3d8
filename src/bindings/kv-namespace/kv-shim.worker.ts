// The KVNamespace a loaded Worker sees, evaluated inside its own isolate. It speaks to the host's
// KvNamespace entrypoint with fetch() alone: a Fetcher's fetch() exists under every compatibility
// date and flag, while RPC methods on a binding need the `rpc` behaviour (2024-04-03); without it
// `env.KV.get(k)` would be Fetcher.get(), an HTTP GET of `k`. The host forwards each call to Node's
// KV wire (src/runtime/internal/kv.ts) under the namespace of the binding's props, never the request's.
import { KV_ORIGIN } from './wire.js'

/** JS source of the KVNamespace class (`kvNamespaceOf(raw)` builds one over the raw entrypoint). */
export function kvNamespaceSource(): string {
  return `const KV_ORIGIN = ${JSON.stringify(KV_ORIGIN)}
const KV_TYPES = ["text", "json", "arrayBuffer", "stream"]

function kvTypeOf(options) {
  const type = typeof options === "string" ? options : options?.type
  if (type === undefined) return "text"
  if (KV_TYPES.includes(type)) return type
  throw new TypeError('Unknown response type. Possible types are "text", "arrayBuffer", "json", and "stream".')
}

function kvCacheTtlOf(options) {
  return typeof options === "object" && options !== null && options.cacheTtl !== undefined ? options.cacheTtl : undefined
}

async function kvFailed(op, res) {
  const text = await res.text()
  return new Error("KV " + op + " failed: " + res.status + " " + (text || res.statusText))
}

function kvBytes(value) {
  if (value instanceof ArrayBuffer) return new Uint8Array(value)
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength)
  return undefined
}

class KVNamespace {
  #raw
  constructor(raw) {
    this.#raw = raw
  }

  #call(path, query, init) {
    return this.#raw.fetch(KV_ORIGIN + path + "?" + new URLSearchParams(query), init)
  }

  async get(key, options) {
    const type = kvTypeOf(options)
    if (Array.isArray(key)) return this.#readMany(key, type, kvCacheTtlOf(options), false)
    return (await this.#read(String(key), type, kvCacheTtlOf(options))).value
  }

  async getWithMetadata(key, options) {
    const type = kvTypeOf(options)
    if (Array.isArray(key)) return this.#readMany(key, type, kvCacheTtlOf(options), true)
    return this.#read(String(key), type, kvCacheTtlOf(options))
  }

  async put(key, value, options = {}) {
    const query = { key: String(key) }
    if (options?.expiration !== undefined) query.expiration = String(options.expiration)
    if (options?.expirationTtl !== undefined) query.expiration_ttl = String(options.expirationTtl)
    const headers = {}
    if (options?.metadata !== undefined) headers["x-kv-metadata"] = JSON.stringify(options.metadata)
    let body
    if (typeof value === "string" || value instanceof ReadableStream) body = value
    else body = kvBytes(value)
    if (body === undefined) throw new TypeError("KV put() accepts only strings, ArrayBuffers, ArrayBufferViews, and ReadableStreams as values.")
    const res = await this.#call("value", query, { method: "PUT", headers, body })
    if (!res.ok) throw await kvFailed("PUT", res)
    await res.body?.cancel()
  }

  async delete(key) {
    const res = await this.#call("value", { key: String(key) }, { method: "DELETE" })
    if (!res.ok) throw await kvFailed("DELETE", res)
    await res.body?.cancel()
  }

  async list(options = {}) {
    const query = {}
    if (options?.prefix) query.prefix = String(options.prefix)
    if (options?.limit !== undefined) query.limit = String(options.limit)
    if (options?.cursor) query.cursor = String(options.cursor)
    const res = await this.#call("keys", query)
    if (!res.ok) throw await kvFailed("LIST", res)
    return { ...(await res.json()), cacheStatus: null }
  }

  async #read(key, type, cacheTtl) {
    const res = await this.#call("value", cacheTtl === undefined ? { key } : { key, cache_ttl: String(cacheTtl) })
    if (res.status === 404) {
      await res.body?.cancel()
      return { value: null, metadata: null, cacheStatus: null }
    }
    if (!res.ok) throw await kvFailed("GET", res)
    const rawMeta = res.headers.get("x-kv-metadata")
    const metadata = rawMeta ? JSON.parse(rawMeta) : null
    let value
    if (type === "stream") value = res.body
    else if (type === "arrayBuffer") value = await res.arrayBuffer()
    else if (type === "json") value = JSON.parse(await res.text())
    else value = await res.text()
    return { value, metadata, cacheStatus: null }
  }

  // Cloudflare's bulk get: one call, text or json values, a Map in the order asked.
  async #readMany(keys, type, cacheTtl, withMetadata) {
    const body = JSON.stringify({ keys, type, withMetadata, ...(cacheTtl === undefined ? {} : { cacheTtl }) })
    const res = await this.#call("bulk/get", {}, { method: "POST", headers: { "content-type": "application/json" }, body })
    if (!res.ok) throw await kvFailed("GET_BULK", res)
    const values = await res.json()
    const out = new Map()
    for (const key of keys) {
      const found = values[key] ?? null
      out.set(key, withMetadata && found !== null ? { value: found.value, metadata: found.metadata } : found)
    }
    return out
  }
}

function kvNamespaceOf(raw) {
  return new KVNamespace(raw)
}
`
}
