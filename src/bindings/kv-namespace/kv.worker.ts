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
 * Single-key reads are answered from this process's cache when Node answered them recently, or
 * when this process wrote or deleted the key itself (Cloudflare's KV, too, shows a write at once
 * where it was made).
 */
export class KvNamespace extends WorkerEntrypoint<HostEnv, KvProps> {
  /** One call of the shim's KVNamespace, forwarded under this binding's namespace. */
  override async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url)
    const found = KV_ROUTES.get(`${request.method} ${url.pathname.slice(1)}`)
    if (!found) return new Response('Unknown KV operation', { status: 404 })
    const { route, usage } = found
    // A read the cache answers is still a KV read and a subrequest of the Worker, as on Cloudflare.
    countBindingCall(this.env, this.ctx.props.caller, usage)
    const { accountId, namespaceId } = this.ctx.props
    const ns = `${accountId}/${namespaceId}`
    const query = url.searchParams
    // A hit answers before anything of the forward is built: it is most of a busy Worker's reads.
    const ttl = route === KV_WIRE.get ? cacheTtlOf(query.get('cache_ttl')) : undefined
    const hit = ttl === undefined ? undefined : kvReads.get(ns, query.get('key') ?? '')
    if (hit) return responseOf(hit)

    const headers = new Headers()
    for (const name of KV_FORWARDED_HEADERS) {
      const value = request.headers.get(name)
      if (value !== null) headers.set(name, value)
    }
    const path = wireUrl(route, { account: accountId, ns: namespaceId }, query)
    const forward = (body: BodyInit | null = null) => internalFetch(this.env, path, { method: request.method, headers, body })
    if (route === KV_WIRE.get) return ttl === undefined ? forward() : cachedRead(ns, query.get('key') ?? '', ttl, forward)
    if (route === KV_WIRE.put) return writeThrough(ns, query.get('key') ?? '', request, forward)
    if (route === KV_WIRE.delete) return deleteThrough(ns, query.get('key') ?? '', forward)
    return forward(request.method === 'POST' ? request.body : null)
  }
}

/**
 * A miss: Node's answer, cached when it is for this very key (a value, or its absence), never an
 * error, so key and namespace checks stay Node's.
 */
async function cachedRead(ns: string, key: string, ttl: number, forward: () => Promise<Response>): Promise<Response> {
  const generation = kvReads.generation(ns)
  const res = await forward()
  const read = await cacheable(res)
  if (!read) return res
  kvReads.set(ns, key, read, expiryOf(read, ttl), generation)
  return responseOf(read)
}

/**
 * A put, and what it wrote cached when its value is small enough to hold and Node says until when
 * every write of the namespace reaches this process (`cache-until`: only while binding reads of
 * it may be cached anyway). Node answers with the headers a get would. It invalidated this
 * process's cache for the write before answering, so the namespace is exactly one invalidation
 * further than before unless another write came in between, which keeps the value out
 * (`afterOwnWrite`).
 */
async function writeThrough(ns: string, key: string, request: Request, forward: (body: BodyInit | null) => Promise<Response>): Promise<Response> {
  const length = request.headers.get('content-length')
  if (length === null || !(Number(length) <= KV_CACHE.maxEntryBytes)) return forward(request.body)
  const value = await request.arrayBuffer()
  const generation = kvReads.generation(ns)
  // A copy goes to Node: the body of a request may be taken over by it, the cache keeps its own.
  const res = await forward(value.slice(0))
  const until = ownWriteUntil(res)
  if (until !== undefined) {
    const read = written(res, value)
    kvReads.set(ns, key, read, Math.min(expiryOf(read, KV_CACHE.defaultTtlSeconds), until), kvReads.afterOwnWrite(generation))
  }
  return res
}

/** A delete, and the key cached as absent, under the same rule as a put. */
async function deleteThrough(ns: string, key: string, forward: () => Promise<Response>): Promise<Response> {
  const generation = kvReads.generation(ns)
  const res = await forward()
  const until = ownWriteUntil(res)
  if (until !== undefined) {
    const absent: KvCachedRead = { found: false, value: null, headers: [] }
    kvReads.set(ns, key, absent, Math.min(expiryOf(undefined, KV_CACHE.defaultTtlSeconds), until), kvReads.afterOwnWrite(generation))
  }
  return res
}

/** Until when (ms) a successful write's answer may be cached, a second short of Node's word. */
function ownWriteUntil(res: Response): number | undefined {
  if (res.status !== 200) return undefined
  const until = Number(res.headers.get(KV_HEADERS.cacheUntil) ?? NaN)
  return Number.isFinite(until) ? until - 1_000 : undefined
}

/** The read of a key just written: its bytes with the headers of Node's answer to the put. */
function written(res: Response, value: ArrayBuffer): KvCachedRead {
  const headers: Array<[string, string]> = []
  for (const name of KV_CACHED_HEADERS) {
    const header = res.headers.get(name)
    if (header !== null) headers.push([name, header])
  }
  return { found: true, value, headers }
}

/** Until when (ms) a read may be served: its cacheTtl, but never past the entry's expiration. */
function expiryOf(read: KvCachedRead | undefined, ttlSeconds: number): number {
  const now = Date.now()
  const expiration = Number(read?.headers.find(([name]) => name === KV_HEADERS.expiration)?.[1])
  return Math.min(now + ttlSeconds * 1000, Number.isFinite(expiration) ? expiration * 1000 : Infinity)
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
