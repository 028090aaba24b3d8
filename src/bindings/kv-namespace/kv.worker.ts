import { WorkerEntrypoint } from 'cloudflare:workers'
import { wireUrl } from '../../shared/wire.js'
import { KvReadCache, type KvCachedRead } from '../../shared/kv-read-cache.js'
import { internalFetch } from '../../host/internal-api.worker.js'
import type { HostEnv } from '../../host/env.worker.js'
import { countBindingCall, type BindingCaller } from '../../host/containment/binding-calls.worker.js'
import type { UsageCounters } from '../../shared/usage.js'
import { KV_CACHE, KV_HEADERS, KV_WIRE, kvOperationOf } from './wire.js'

export interface KvProps {
  accountId: string
  namespaceId: string
  /** The calling script: its KV operations are metered under it and take its subrequests. */
  caller: BindingCaller
}

/** Which usage counter each operation adds to (a bulk get is one read, as Cloudflare bills it). */
const KV_USAGE: Record<keyof typeof KV_WIRE, keyof UsageCounters> = { get: 'kvReads', getBulk: 'kvReads', put: 'kvWrites', delete: 'kvDeletes', list: 'kvLists' }

/** The routes a Worker's KVNamespace may call, by `<method> <operation>` of the shim's request. */
const KV_ROUTES = new Map(
  (Object.entries(KV_WIRE) as Array<[keyof typeof KV_WIRE, (typeof KV_WIRE)[keyof typeof KV_WIRE]]>).map(([op, route]) => [
    `${route.method} ${kvOperationOf(route.path)}`,
    { route, usage: { [KV_USAGE[op]]: 1 } as Partial<UsageCounters> },
  ]),
)
const KV_FORWARDED_HEADERS = [KV_HEADERS.metadata, 'content-type', 'content-length'] as const
/** What of a value answer the cache keeps besides the value. */
const KV_CACHED_HEADERS = [KV_HEADERS.metadata, KV_HEADERS.expiration] as const

/** This process's KV reads, shared by every Worker's bindings; the control socket invalidates it. */
export const kvReads = new KvReadCache({ maxBytes: KV_CACHE.maxBytes, maxEntryBytes: KV_CACHE.maxEntryBytes, now: () => Date.now() })

/**
 * A KV binding. Customer code sees the KVNamespace of isolate/kv-namespace.ts, which calls fetch() here
 * (that works under every compatibility date); each call goes on to Node's KV service, which
 * applies Cloudflare's limits and expiration rules and shares its storage with the REST API.
 * Single-key reads are answered from this process's cache when Node answered them recently.
 */
export class KvNamespace extends WorkerEntrypoint<HostEnv, KvProps> {
  /** One call of the shim's KVNamespace, forwarded under this binding's namespace. */
  override async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url)
    const found = KV_ROUTES.get(`${request.method} ${url.pathname.slice(1)}`)
    if (!found) return new Response('Unknown KV operation', { status: 404 })
    const { route, usage } = found
    countBindingCall(this.env, this.ctx.props.caller, usage)
    const headers = new Headers()
    for (const name of KV_FORWARDED_HEADERS) {
      const value = request.headers.get(name)
      if (value !== null) headers.set(name, value)
    }
    const body = request.method === 'PUT' || request.method === 'POST' ? request.body : null
    const { accountId, namespaceId } = this.ctx.props
    const path = wireUrl(route, { account: accountId, ns: namespaceId }, url.searchParams)
    const forward = () => internalFetch(this.env, path, { method: request.method, headers, body })
    if (route !== KV_WIRE.get) return forward()
    return cachedRead(`${accountId}/${namespaceId}`, url.searchParams, forward)
  }
}

/**
 * A get through the cache. Only what Node answered for this very key is cached (a value, or its
 * absence), never an error, so key and namespace checks stay Node's; a request whose `cacheTtl`
 * Node would refuse bypasses the cache and gets Node's error.
 */
async function cachedRead(ns: string, query: URLSearchParams, forward: () => Promise<Response>): Promise<Response> {
  const key = query.get('key') ?? ''
  const ttl = cacheTtlOf(query.get('cache_ttl'))
  if (ttl === undefined) return forward()
  const hit = kvReads.get(ns, key)
  if (hit) return responseOf(hit)
  const generation = kvReads.generation(ns)
  const res = await forward()
  const read = await cacheable(res)
  if (!read) return res
  const now = Date.now()
  const expiration = Number(read.headers.find(([name]) => name === KV_HEADERS.expiration)?.[1])
  const expiresAt = Math.min(now + ttl * 1000, Number.isFinite(expiration) ? expiration * 1000 : Infinity)
  kvReads.set(ns, key, read, expiresAt, generation)
  return responseOf(read)
}

/** Seconds to cache for: Cloudflare's default when unset; undefined when Node would refuse it. */
function cacheTtlOf(raw: string | null): number | undefined {
  if (raw === null || raw === '') return KV_CACHE.defaultTtlSeconds
  const ttl = Number(raw)
  return Number.isNaN(ttl) || ttl < KV_CACHE.minTtlSeconds ? undefined : ttl
}

/** The answer as the cache keeps it: a value small enough, or a plain "no such key". */
async function cacheable(res: Response): Promise<KvCachedRead | undefined> {
  if (res.status === 404 && !res.headers.has(KV_HEADERS.errorCode)) {
    await res.body?.cancel()
    return { found: false, value: null, headers: [] }
  }
  if (res.status !== 200) return undefined
  const length = res.headers.get('content-length')
  if (length === null || !(Number(length) <= KV_CACHE.maxEntryBytes)) return undefined
  const headers: Array<[string, string]> = []
  for (const name of KV_CACHED_HEADERS) {
    const value = res.headers.get(name)
    if (value !== null) headers.push([name, value])
  }
  return { found: true, value: await res.arrayBuffer(), headers }
}

function responseOf(read: KvCachedRead): Response {
  if (!read.found) return new Response('Not Found', { status: 404 })
  const headers = new Headers(read.headers)
  headers.set('content-type', 'application/octet-stream')
  // A copy: the cached bytes must outlive whatever the reader does with its body.
  return new Response(read.value?.slice(0) ?? null, { headers })
}
