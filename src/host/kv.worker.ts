import { WorkerEntrypoint } from 'cloudflare:workers'
import { INTERNAL } from './shared/protocol.js'
import { internalFetch } from './internal-api.worker.js'
import type { HostEnv, KvProps } from './env.worker.js'

type ValueType = 'text' | 'json' | 'arrayBuffer' | 'stream'
type GetOptions = ValueType | { type?: ValueType; cacheTtl?: number } | undefined

interface PutOptions {
  expiration?: number
  expirationTtl?: number
  metadata?: unknown
}

/** The operations of Node's KV wire a Worker's KVNamespace may call (see src/api/internal/kv.ts). */
const KV_OPERATIONS = new Set(['GET value', 'PUT value', 'DELETE value', 'GET keys', 'POST bulk/get'])
const KV_FORWARDED_HEADERS = ['x-kv-metadata', 'content-type', 'content-length'] as const

/**
 * A KV binding. Customer code sees the KVNamespace of kv-shim.worker.ts, which calls fetch() here
 * (that works under every compatibility date); the RPC methods serve code that reaches the raw
 * binding (`import { env } from "cloudflare:workers"`) under dates with RPC. Each call goes to
 * Node's KV service, which applies Cloudflare's limits and expiration rules and shares its storage
 * with the REST API.
 */
export class KvNamespace extends WorkerEntrypoint<HostEnv, KvProps> {
  /** One call of the shim's KVNamespace, forwarded under this binding's namespace. */
  override async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url)
    const operation = url.pathname.slice(1)
    if (!KV_OPERATIONS.has(`${request.method} ${operation}`)) return new Response('Unknown KV operation', { status: 404 })
    const headers = new Headers()
    for (const name of KV_FORWARDED_HEADERS) {
      const value = request.headers.get(name)
      if (value !== null) headers.set(name, value)
    }
    const body = request.method === 'PUT' || request.method === 'POST' ? request.body : null
    return internalFetch(this.env, `${this.#base()}${operation}${url.search}`, { method: request.method, headers, body })
  }

  async get(key: string | string[], options?: GetOptions): Promise<unknown> {
    const type = typeOf(options)
    if (Array.isArray(key)) {
      const out = new Map<string, unknown>()
      for (const k of key) out.set(k, (await this.#read(k, type)).value)
      return out
    }
    return (await this.#read(key, type)).value
  }

  async getWithMetadata(key: string | string[], options?: GetOptions): Promise<unknown> {
    const type = typeOf(options)
    if (Array.isArray(key)) {
      const out = new Map<string, unknown>()
      for (const k of key) out.set(k, await this.#read(k, type))
      return out
    }
    return this.#read(key, type)
  }

  async put(key: string, value: string | ArrayBuffer | ArrayBufferView | ReadableStream, options: PutOptions = {}): Promise<void> {
    const query = new URLSearchParams({ key })
    if (options.expiration !== undefined) query.set('expiration', String(options.expiration))
    if (options.expirationTtl !== undefined) query.set('expiration_ttl', String(options.expirationTtl))
    const headers: Record<string, string> = {}
    if (options.metadata !== undefined) headers['x-kv-metadata'] = JSON.stringify(options.metadata)
    const body = value instanceof ReadableStream || typeof value === 'string' ? value : toBytes(value)
    const res = await internalFetch(this.env, `${this.#base()}value?${query}`, { method: 'PUT', body, headers })
    if (!res.ok) throw new Error(`KV PUT failed: ${res.status} ${await res.text()}`)
  }

  async delete(key: string): Promise<void> {
    const res = await internalFetch(this.env, `${this.#base()}value?${new URLSearchParams({ key })}`, { method: 'DELETE' })
    if (!res.ok) throw new Error(`KV DELETE failed: ${res.status} ${await res.text()}`)
  }

  async list(options: { prefix?: string | null; limit?: number; cursor?: string | null } = {}): Promise<unknown> {
    const query = new URLSearchParams()
    if (options.prefix) query.set('prefix', options.prefix)
    if (options.limit !== undefined) query.set('limit', String(options.limit))
    if (options.cursor) query.set('cursor', options.cursor)
    const res = await internalFetch(this.env, `${this.#base()}keys?${query}`)
    if (!res.ok) throw new Error(`KV LIST failed: ${res.status} ${await res.text()}`)
    return { ...((await res.json()) as object), cacheStatus: null }
  }

  #base(): string {
    return `${INTERNAL.kv}${encodeURIComponent(this.ctx.props.accountId)}/${encodeURIComponent(this.ctx.props.namespaceId)}/`
  }

  async #read(key: string, type: ValueType): Promise<{ value: unknown; metadata: unknown; cacheStatus: null }> {
    const res = await internalFetch(this.env, `${this.#base()}value?${new URLSearchParams({ key })}`)
    if (res.status === 404) {
      await res.body?.cancel()
      return { value: null, metadata: null, cacheStatus: null }
    }
    if (!res.ok) throw new Error(`KV GET failed: ${res.status} ${await res.text()}`)
    const rawMeta = res.headers.get('x-kv-metadata')
    const metadata = rawMeta ? (JSON.parse(rawMeta) as unknown) : null
    let value: unknown
    if (type === 'stream') value = res.body
    else if (type === 'arrayBuffer') value = await res.arrayBuffer()
    else if (type === 'json') value = JSON.parse(await res.text())
    else value = await res.text()
    return { value, metadata, cacheStatus: null }
  }
}

function typeOf(options: GetOptions): ValueType {
  const type = typeof options === 'string' ? options : options?.type
  if (type === undefined) return 'text'
  if (type === 'text' || type === 'json' || type === 'arrayBuffer' || type === 'stream') return type
  throw new TypeError(`Unknown response type. Possible types are "text", "arrayBuffer", "json", and "stream".`)
}

function toBytes(value: ArrayBuffer | ArrayBufferView): Uint8Array {
  return value instanceof ArrayBuffer ? new Uint8Array(value) : new Uint8Array(value.buffer, value.byteOffset, value.byteLength)
}
