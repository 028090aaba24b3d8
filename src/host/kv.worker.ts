import { WorkerEntrypoint } from 'cloudflare:workers'
import { INTERNAL } from '../shared/protocol.js'
import { internalFetch } from './internal-api.worker.js'
import type { HostEnv, KvProps } from './env.worker.js'

/** The operations of Node's KV wire a Worker's KVNamespace may call (see src/runtime/internal/kv.ts). */
const KV_OPERATIONS = new Set(['GET value', 'PUT value', 'DELETE value', 'GET keys', 'POST bulk/get'])
const KV_FORWARDED_HEADERS = ['x-kv-metadata', 'content-type', 'content-length'] as const

/**
 * A KV binding. Customer code sees the KVNamespace of kv-shim.worker.ts, which calls fetch() here
 * (that works under every compatibility date); each call goes on to Node's KV service, which
 * applies Cloudflare's limits and expiration rules and shares its storage with the REST API.
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

  #base(): string {
    return `${INTERNAL.kv}${encodeURIComponent(this.ctx.props.accountId)}/${encodeURIComponent(this.ctx.props.namespaceId)}/`
  }
}
