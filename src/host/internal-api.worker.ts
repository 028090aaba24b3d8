import { HEADER_INTERNAL_SECRET } from '../shared/headers.js'
import type { WirePath } from '../shared/wire.js'
import type { HostEnv } from './env.worker.js'

/**
 * Calls Node's internal API at a path built by the wire (`wireUrl`); any non-2xx is an error the
 * caller turns into a 5xx or a rejection.
 */
export async function internalFetch(env: HostEnv, path: WirePath, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers)
  headers.set(HEADER_INTERNAL_SECRET, env.INTERNAL_SECRET)
  // Redirects Node answers (asset 307s, cached 301s) are for the end user, never to be followed here.
  const res = await env.INTERNAL.fetch(`http://internal${path}`, { ...init, redirect: 'manual', headers })
  return res
}

export async function internalJson<T>(env: HostEnv, path: WirePath, init: RequestInit = {}): Promise<T> {
  const res = await internalFetch(env, path, init)
  if (!res.ok) throw new Error(`internal API ${path} answered ${res.status}: ${await res.text()}`)
  return (await res.json()) as T
}
