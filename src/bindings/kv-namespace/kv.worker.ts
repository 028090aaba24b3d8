import { WorkerEntrypoint } from 'cloudflare:workers'
import { wireUrl } from '../../shared/wire.js'
import { internalFetch } from '../../host/internal-api.worker.js'
import type { HostEnv } from '../../host/env.worker.js'
import { KV_HEADERS, KV_WIRE, kvOperationOf } from './wire.js'

export interface KvProps {
  accountId: string
  namespaceId: string
}

/** The routes a Worker's KVNamespace may call, by `<method> <operation>` of the shim's request. */
const KV_ROUTES = new Map(Object.values(KV_WIRE).map((route) => [`${route.method} ${kvOperationOf(route.path)}`, route]))
const KV_FORWARDED_HEADERS = [KV_HEADERS.metadata, 'content-type', 'content-length'] as const

/**
 * A KV binding. Customer code sees the KVNamespace of isolate/kv-namespace.ts, which calls fetch() here
 * (that works under every compatibility date); each call goes on to Node's KV service, which
 * applies Cloudflare's limits and expiration rules and shares its storage with the REST API.
 */
export class KvNamespace extends WorkerEntrypoint<HostEnv, KvProps> {
  /** One call of the shim's KVNamespace, forwarded under this binding's namespace. */
  override async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url)
    const route = KV_ROUTES.get(`${request.method} ${url.pathname.slice(1)}`)
    if (!route) return new Response('Unknown KV operation', { status: 404 })
    const headers = new Headers()
    for (const name of KV_FORWARDED_HEADERS) {
      const value = request.headers.get(name)
      if (value !== null) headers.set(name, value)
    }
    const body = request.method === 'PUT' || request.method === 'POST' ? request.body : null
    const { accountId, namespaceId } = this.ctx.props
    const path = wireUrl(route, { account: accountId, ns: namespaceId }, url.searchParams)
    return internalFetch(this.env, path, { method: request.method, headers, body })
  }
}
