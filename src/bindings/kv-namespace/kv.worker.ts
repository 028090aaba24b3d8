import { WorkerEntrypoint } from 'cloudflare:workers'
import { wireUrl } from '../../shared/wire.js'
import { internalFetch } from '../../host/internal-api.worker.js'
import type { HostEnv } from '../../host/env.worker.js'
import { recordUsage } from '../../host/containment/usage.worker.js'
import type { UsageCounters } from '../../shared/usage.js'
import { KV_HEADERS, KV_WIRE, kvOperationOf } from './wire.js'

export interface KvProps {
  accountId: string
  namespaceId: string
  /** The calling script's key (`account/namespace/script`): its KV operations are metered under it. */
  usageKey: string
}

/** Which usage counter each operation adds to (a bulk get is one read, as Cloudflare bills it). */
const KV_USAGE: Record<keyof typeof KV_WIRE, keyof UsageCounters> = { get: 'kvReads', getBulk: 'kvReads', put: 'kvWrites', delete: 'kvDeletes', list: 'kvLists' }

/** The routes a Worker's KVNamespace may call, by `<method> <operation>` of the shim's request. */
const KV_ROUTES = new Map(
  (Object.entries(KV_WIRE) as Array<[keyof typeof KV_WIRE, (typeof KV_WIRE)[keyof typeof KV_WIRE]]>).map(([op, route]) => [
    `${route.method} ${kvOperationOf(route.path)}`,
    { route, counter: KV_USAGE[op] },
  ]),
)
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
    const found = KV_ROUTES.get(`${request.method} ${url.pathname.slice(1)}`)
    if (!found) return new Response('Unknown KV operation', { status: 404 })
    const { route, counter } = found
    if (this.env.SETTINGS.usage) recordUsage(this.ctx.props.usageKey, { [counter]: 1 })
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
