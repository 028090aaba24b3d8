// The Cache API as a loaded Worker sees it (module `__workerhive/caches.js`, evaluated before the
// customer's code). The Worker Loader gives dynamically loaded Workers no cache of their own
// (workerd: "No Cache was configured"), so this module replaces `globalThis.caches`. Each call is
// one fetch() to the cache origin through the Worker's globalOutbound, where the host scopes it to
// the Worker's cache space. Runs in the customer's isolate: it imports only its generated config.
import { config } from './caches-config.js'

// Captured before customer code runs, which may replace globalThis.fetch.
const send = globalThis.fetch.bind(globalThis)
const NULL_BODY = new Set([101, 204, 205, 304])

type CacheKey = RequestInfo | URL
interface CacheQueryOptions {
  ignoreMethod?: boolean
}

function requestOf(input: CacheKey): Request {
  return input instanceof Request ? input : new Request(input)
}

function call(op: string, name: string, request: Request, init: RequestInit = {}): Promise<Response> {
  const query = new URLSearchParams({ name, url: request.url })
  // A cached redirect is the answer itself, never to be followed.
  return send(config.origin + '/' + op + '?' + query, { ...init, redirect: 'manual' })
}

class WorkerhiveCache {
  #name: string
  constructor(name: string) {
    this.#name = name
  }

  async put(input: CacheKey, response: Response): Promise<void> {
    const request = requestOf(input)
    if (request.method !== 'GET') throw new TypeError('Cannot cache response to non-GET request.')
    if (!(response instanceof Response)) throw new TypeError("Failed to execute 'put' on 'Cache': parameter 2 is not of type 'Response'.")
    if (response.status === 206) throw new TypeError('Cannot cache response to a range request (206 Partial Content).')
    if (response.status === 304) throw new TypeError('Cannot cache a 304 (Not Modified) response.')
    const vary = response.headers.get('vary')
    if (vary && vary.split(',').some((v) => v.trim() === '*')) throw new TypeError("Cannot cache response with 'Vary: *' header.")
    if (response.bodyUsed) throw new TypeError('Body has already been used. It can only be used once. Use tee() first if you need to read it twice.')
    const head = encodeURIComponent(JSON.stringify({ status: response.status, headers: [...response.headers] }))
    const res = await call('put', this.#name, request, { method: 'PUT', headers: { [config.headHeader]: head }, body: response.body })
    const text = await res.text()
    if (!res.ok) throw new Error(text || 'Cache API put failed (' + res.status + ')')
  }

  async match(input: CacheKey, options?: CacheQueryOptions): Promise<Response | undefined> {
    const request = requestOf(input)
    if (request.method !== 'GET' && !options?.ignoreMethod) return undefined
    const headers: Record<string, string> = {}
    for (const name of config.matchHeaders) {
      const value = request.headers.get(name)
      if (value !== null) headers[name] = value
    }
    const res = await call('match', this.#name, request, { headers })
    if (res.headers.get(config.resultHeader) !== 'hit') {
      await res.body?.cancel()
      return undefined
    }
    const head = JSON.parse(decodeURIComponent(res.headers.get(config.headHeader) ?? '')) as { status: number; headers: [string, string][] }
    const out = new Headers(head.headers)
    out.set('cf-cache-status', 'HIT')
    if (NULL_BODY.has(head.status)) {
      await res.body?.cancel()
      return new Response(null, { status: head.status, headers: out })
    }
    return new Response(res.body, { status: head.status, headers: out })
  }

  async delete(input: CacheKey, options?: CacheQueryOptions): Promise<boolean> {
    const request = requestOf(input)
    if (request.method !== 'GET' && !options?.ignoreMethod) return false
    const res = await call('delete', this.#name, request, { method: 'DELETE' })
    await res.body?.cancel()
    return res.headers.get(config.resultHeader) === 'hit'
  }
}

/** caches.default of an untrusted namespace: disabled, as on Cloudflare; it stores and finds nothing. */
class DisabledCache {
  #warned = false
  #warn(): void {
    if (this.#warned) return
    this.#warned = true
    console.warn("caches.default is disabled for Workers in an untrusted dispatch namespace; use caches.open(name) for this Worker's own cache.")
  }
  async put(_input: CacheKey, _response: Response): Promise<void> {
    this.#warn()
  }
  async match(): Promise<undefined> {
    this.#warn()
    return undefined
  }
  async delete(): Promise<boolean> {
    this.#warn()
    return false
  }
}

const defaultCache = config.defaultEnabled ? new WorkerhiveCache('default') : new DisabledCache()
const opened = new Map<string, WorkerhiveCache>()

class WorkerhiveCacheStorage {
  get default(): WorkerhiveCache | DisabledCache {
    return defaultCache
  }
  async open(name: string): Promise<WorkerhiveCache> {
    const key = 'open:' + String(name)
    let cache = opened.get(key)
    if (!cache) opened.set(key, (cache = new WorkerhiveCache(key)))
    return cache
  }
}

Object.defineProperty(globalThis, 'caches', { value: new WorkerhiveCacheStorage(), writable: true, configurable: true, enumerable: true })
