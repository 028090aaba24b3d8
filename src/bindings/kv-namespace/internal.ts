import type { AccountId } from '../../domain/ids.js'
import { declaredLength, readValueBody } from '../../kv/read-body.js'
import type { KvRef, KvService } from '../../kv/service.js'
import { parseMetadataText } from '../../kv/validate.js'
import { ApiError, kvInvalidLimit, kvInvalidRequest } from '../../domain/errors.js'
import { createKvService } from '../../kv/service.js'
import type { InternalHandler, InternalHandlerDeps } from '../kind.js'
import { KV_CACHE, KV_HEADERS, KV_WIRE } from './wire.js'
import type { KvReadHorizon } from '../../kv/read-horizon.js'


/**
 * Node's half of the KV binding: its routes (wire.ts), mounted by the internal API. The account and
 * namespace come from the binding's props, which the host set from a descriptor whose KV
 * namespaces were checked to belong to the script's account.
 */
export function kvInternal(deps: InternalHandlerDeps): InternalHandler[] {
  const kv = kvInternalHandlers(createKvService({ store: deps.store.kv, clock: deps.clock }), deps.kvReads)
  const on = (route: InternalHandler['route'], handler: Handler): InternalHandler => ({
    route,
    handle: (request, params) => handler(request, { accountId: params.account ?? '', namespaceId: params.ns ?? '' }),
  })
  return [
    on(KV_WIRE.get, kv.get),
    on(KV_WIRE.put, kv.put),
    on(KV_WIRE.delete, kv.delete),
    on(KV_WIRE.list, kv.list),
    on(KV_WIRE.getBulk, kv.getBulk),
  ]
}

/** The namespace a binding call acts on, as the internal route received it. */
export interface KvBindingRef {
  accountId: string
  namespaceId: string
}

type Handler = (request: Request, ns: KvBindingRef) => Promise<Response>

/**
 * The KV binding's handlers (its workerd half is kv.worker.ts), one per
 * operation, each a plain function from Request to Response over the shared KV service:
 *
 *   GET    …/value?key=K[&cache_ttl=S]        raw bytes (+ metadata/expiration headers); 404 if absent
 *   PUT    …/value?key=K[&expiration=][&expiration_ttl=]   body = value, metadata header; answers
 *                                        the metadata/expiration headers a get would
 *   DELETE …/value?key=K
 *   GET    …/keys?[prefix=][&limit=][&cursor=] {keys:[{name, expiration?, metadata?}], list_complete, cursor?}
 *   POST   …/bulk/get {keys, type?, withMetadata?, cacheTtl?} → {key: value | {value, metadata} | null}
 *
 * Failures answer Cloudflare's status with the message as a text body (and the status text), so
 * the binding can throw `KV PUT failed: 413 Value length of … exceeds limit of 26214400.` as
 * Cloudflare does.
 */
export function kvInternalHandlers(service: KvService, reads?: KvReadHorizon): {
  get: Handler
  getWithMetadata: Handler
  getBulk: Handler
  put: Handler
  delete: Handler
  list: Handler
} {
  const get: Handler = async (request, ns) => {
    const url = new URL(request.url)
    const cacheTtl = url.searchParams.get('cache_ttl')
    const found = await service.get(refOf(ns), url.searchParams.get('key') ?? '', { cacheTtl })
    // The edge caches this answer (kv.worker.ts) for the read's cacheTtl.
    reads?.read(ns.accountId, ns.namespaceId, cacheTtl ? Number(cacheTtl) : KV_CACHE.defaultTtlSeconds)
    if (!found) return new Response('Not Found', { status: 404 })
    const headers = new Headers({ 'content-type': 'application/octet-stream' })
    if (found.metadata !== undefined) headers.set(KV_HEADERS.metadata, JSON.stringify(found.metadata))
    if (found.expiration !== undefined) headers.set(KV_HEADERS.expiration, String(found.expiration))
    return new Response(found.value, { headers })
  }

  /**
   * A binding write to a namespace whose reads the edge may hold: the writing process may keep
   * what it wrote (kv.worker.ts), so writes keep reaching the edge for a cacheTtl from now. A
   * namespace nobody reads through a binding stays so: its writes still skip the edge.
   */
  const keepEdgeTold = (ns: KvBindingRef): void => {
    if (reads?.mayBeCached(ns.accountId, ns.namespaceId)) reads.read(ns.accountId, ns.namespaceId, KV_CACHE.defaultTtlSeconds)
  }
  /** Until when the edge hears of every write of the namespace: no header, no caching. */
  const ownWriteHeaders = (ns: KvBindingRef): Headers => {
    const until = reads?.until(ns.accountId, ns.namespaceId)
    return new Headers(until === undefined ? {} : { [KV_HEADERS.cacheUntil]: String(until) })
  }

  return {
    get: rendered(get),
    // The value response carries the metadata header, so one handler serves both.
    getWithMetadata: rendered(get),

    getBulk: rendered(async (request, ns) => {
      const body = await readJsonBody(request)
      const keys = body.keys
      if (!Array.isArray(keys) || !keys.every((k): k is string => typeof k === 'string'))
        throw kvInvalidRequest('keys must be an array of strings')
      const values = await service.getMany(refOf(ns), keys, {
        type: body.type,
        withMetadata: body.withMetadata === true,
        cacheTtl: typeof body.cacheTtl === 'number' || typeof body.cacheTtl === 'string' ? body.cacheTtl : undefined,
      })
      return Response.json(values)
    }),

    put: rendered(async (request, ns) => {
      const url = new URL(request.url)
      const rawMetadata = request.headers.get(KV_HEADERS.metadata)
      const value = await readValueBody(request.body, declaredLength(request.headers.get('content-length')))
      keepEdgeTold(ns)
      const written = await service.put(refOf(ns), url.searchParams.get('key') ?? '', value, {
        expiration: url.searchParams.get('expiration'),
        expirationTtl: url.searchParams.get('expiration_ttl'),
        metadata: rawMetadata === null ? undefined : parseMetadataText(rawMetadata),
      })
      // What a get of the key would answer besides the value, for the writing process's cache.
      const headers = ownWriteHeaders(ns)
      if (written.metadata !== undefined) headers.set(KV_HEADERS.metadata, JSON.stringify(written.metadata))
      if (written.expiration !== undefined) headers.set(KV_HEADERS.expiration, String(written.expiration))
      return new Response(null, { status: 200, headers })
    }),

    delete: rendered(async (request, ns) => {
      keepEdgeTold(ns)
      await service.delete(refOf(ns), new URL(request.url).searchParams.get('key') ?? '')
      return new Response(null, { status: 200, headers: ownWriteHeaders(ns) })
    }),

    list: rendered(async (request, ns) => {
      const q = new URL(request.url).searchParams
      const rawLimit = q.get('limit')
      const limit = rawLimit === null || rawLimit === '' ? undefined : Number(rawLimit)
      if (limit !== undefined && Number.isNaN(limit))
        throw kvInvalidLimit(`Invalid limit of ${rawLimit}. Please specify an integer greater than 0.`)
      const page = await service.list(refOf(ns), { prefix: q.get('prefix'), limit, cursor: q.get('cursor') })
      return Response.json(
        page.listComplete
          ? { keys: page.keys, list_complete: true }
          : { keys: page.keys, list_complete: false, cursor: page.cursor },
      )
    }),
  }
}

const refOf = (ns: KvBindingRef): KvRef => ({ accountId: ns.accountId as AccountId, namespaceId: ns.namespaceId })

/** Renders the service's errors for the binding; anything else is the internal API's to log. */
function rendered(handler: Handler): Handler {
  return async (request, ns) => {
    try {
      return await handler(request, ns)
    } catch (e) {
      if (!(e instanceof ApiError)) throw e
      return new Response(e.message, {
        status: e.status,
        statusText: reasonPhrase(e.message),
        headers: { 'content-type': 'text/plain;charset=UTF-8', [KV_HEADERS.errorCode]: String(e.code) },
      })
    }
  }
}

/** A status text must be Latin-1 without control characters; key names in messages may not be. */
const reasonPhrase = (message: string): string => message.replace(/[^\t\x20-\x7e\x80-\xff]/g, '?').slice(0, 512)

async function readJsonBody(request: Request): Promise<Record<string, unknown>> {
  let body: unknown
  try {
    body = await request.json()
  } catch {
    throw kvInvalidRequest('the body is not valid JSON')
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw kvInvalidRequest('expected a JSON object')
  return body as Record<string, unknown>
}
