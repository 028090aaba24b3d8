import { CACHE_HEADERS, CACHE_MATCH_HEADERS, CACHE_ORIGIN, INTERNAL } from '../shared/protocol.js'
import { internalFetch } from './internal-api.worker.js'
import type { HostEnv, ScriptProps } from './env.worker.js'

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
  const query = new URLSearchParams({ name, url: url.searchParams.get('url') ?? '' })
  const headers = new Headers()
  for (const name of FORWARDED) {
    const value = request.headers.get(name)
    if (value !== null) headers.set(name, value)
  }
  return internalFetch(env, `${INTERNAL.cache}${encodeURIComponent(props.cacheSpace)}/${encodeURIComponent(op)}?${query}`, {
    method: request.method,
    headers,
    ...(request.method === 'PUT' ? { body: request.body } : {}),
  })
}
