import { WIRE, wireUrl } from '../../shared/wire.js'
import { CACHE_HEADERS, CACHE_MATCH_HEADERS, CACHE_ORIGIN } from '../../shared/protocol.js'
import { internalFetch } from '../internal-api.worker.js'
import type { HostEnv, ScriptProps } from '../env.worker.js'

const CACHE_ROUTES: Record<string, typeof WIRE.cacheGet | typeof WIRE.cachePut | typeof WIRE.cacheDelete> = {
  GET: WIRE.cacheGet,
  PUT: WIRE.cachePut,
  DELETE: WIRE.cacheDelete,
}
const CACHE_HOST = new URL(CACHE_ORIGIN).host

/** A Cache API call of the caches shim, arriving at a loaded Worker's globalOutbound. */
export const isCacheCall = (request: Request): boolean => new URL(request.url).host === CACHE_HOST

/** Nothing else of the Worker's request reaches Node. */
const FORWARDED = [...CACHE_MATCH_HEADERS, CACHE_HEADERS.head]

/**
 * Forwards a Cache API call to Node's cache under the calling Worker's own space: the space comes
 * from the outbound's props, so whatever a Worker sends to the cache origin, it reaches only its
 * own entries.
 */
export async function forwardCacheCall(env: HostEnv, props: ScriptProps, request: Request): Promise<Response> {
  const url = new URL(request.url)
  const op = url.pathname.slice(1)
  const name = url.searchParams.get('name') ?? 'default'
  // caches.default is disabled here (untrusted namespace), however the call was made.
  if (name === 'default' && !props.cacheDefault) return new Response(null, { status: 204, headers: { [CACHE_HEADERS.result]: 'miss' } })
  const route = CACHE_ROUTES[request.method]
  if (!route) return new Response('404 Not Found', { status: 404 })
  const headers = new Headers()
  for (const name of FORWARDED) {
    const value = request.headers.get(name)
    if (value !== null) headers.set(name, value)
  }
  return internalFetch(env, wireUrl(route, { space: props.cacheSpace, op }, { name, url: url.searchParams.get('url') ?? '' }), {
    method: request.method,
    headers,
    ...(request.method === 'PUT' ? { body: request.body } : {}),
  })
}
