// The Cache API as a loaded Worker sees it. The Worker Loader gives dynamically loaded Workers no
// cache of their own (workerd: "No Cache was configured"), so this module, evaluated before the
// customer's code, replaces `globalThis.caches`. Each call is one fetch() to CACHE_ORIGIN through
// the Worker's globalOutbound, where the host scopes it to the Worker's cache space.
import { CACHE_HEADERS, CACHE_MATCH_HEADERS, CACHE_ORIGIN } from '../../shared/protocol.js'

/** JS source of the caches module of one script. */
export function cachesModule(defaultEnabled: boolean): string {
  return `const ORIGIN = ${JSON.stringify(CACHE_ORIGIN)}
const HEAD = ${JSON.stringify(CACHE_HEADERS.head)}
const RESULT = ${JSON.stringify(CACHE_HEADERS.result)}
const DEFAULT_ENABLED = ${defaultEnabled}
const MATCH_HEADERS = ${JSON.stringify(CACHE_MATCH_HEADERS)}
// Captured before customer code runs, which may replace globalThis.fetch.
const send = globalThis.fetch.bind(globalThis)
const NULL_BODY = new Set([101, 204, 205, 304])

function requestOf(input) {
  return input instanceof Request ? input : new Request(input)
}

function call(op, name, request, init = {}) {
  const query = new URLSearchParams({ name, url: request.url })
  // A cached redirect is the answer itself, never to be followed.
  return send(ORIGIN + "/" + op + "?" + query, { ...init, redirect: "manual" })
}

class WorkerhiveCache {
  #name
  constructor(name) {
    this.#name = name
  }

  async put(input, response) {
    const request = requestOf(input)
    if (request.method !== "GET") throw new TypeError("Cannot cache response to non-GET request.")
    if (!(response instanceof Response)) throw new TypeError("Failed to execute 'put' on 'Cache': parameter 2 is not of type 'Response'.")
    if (response.status === 206) throw new TypeError("Cannot cache response to a range request (206 Partial Content).")
    if (response.status === 304) throw new TypeError("Cannot cache a 304 (Not Modified) response.")
    const vary = response.headers.get("vary")
    if (vary && vary.split(",").some((v) => v.trim() === "*")) throw new TypeError("Cannot cache response with 'Vary: *' header.")
    if (response.bodyUsed) throw new TypeError("Body has already been used. It can only be used once. Use tee() first if you need to read it twice.")
    const head = encodeURIComponent(JSON.stringify({ status: response.status, headers: [...response.headers] }))
    const res = await call("put", this.#name, request, { method: "PUT", headers: { [HEAD]: head }, body: response.body })
    const text = await res.text()
    if (!res.ok) throw new Error(text || "Cache API put failed (" + res.status + ")")
  }

  async match(input, options) {
    const request = requestOf(input)
    if (request.method !== "GET" && !options?.ignoreMethod) return undefined
    const headers = {}
    for (const name of MATCH_HEADERS) {
      const value = request.headers.get(name)
      if (value !== null) headers[name] = value
    }
    const res = await call("match", this.#name, request, { headers })
    if (res.headers.get(RESULT) !== "hit") {
      await res.body?.cancel()
      return undefined
    }
    const head = JSON.parse(decodeURIComponent(res.headers.get(HEAD)))
    const out = new Headers(head.headers)
    out.set("cf-cache-status", "HIT")
    if (NULL_BODY.has(head.status)) {
      await res.body?.cancel()
      return new Response(null, { status: head.status, headers: out })
    }
    return new Response(res.body, { status: head.status, headers: out })
  }

  async delete(input, options) {
    const request = requestOf(input)
    if (request.method !== "GET" && !options?.ignoreMethod) return false
    const res = await call("delete", this.#name, request, { method: "DELETE" })
    await res.body?.cancel()
    return res.headers.get(RESULT) === "hit"
  }
}

/** caches.default of an untrusted namespace: disabled, as on Cloudflare; it stores and finds nothing. */
class DisabledCache {
  #warned = false
  #warn() {
    if (this.#warned) return
    this.#warned = true
    console.warn("caches.default is disabled for Workers in an untrusted dispatch namespace; use caches.open(name) for this Worker's own cache.")
  }
  async put(input, response) {
    this.#warn()
  }
  async match() {
    this.#warn()
    return undefined
  }
  async delete() {
    this.#warn()
    return false
  }
}

const defaultCache = DEFAULT_ENABLED ? new WorkerhiveCache("default") : new DisabledCache()
const opened = new Map()

class WorkerhiveCacheStorage {
  get default() {
    return defaultCache
  }
  async open(name) {
    const key = "open:" + String(name)
    let cache = opened.get(key)
    if (!cache) opened.set(key, (cache = new WorkerhiveCache(key)))
    return cache
  }
}

Object.defineProperty(globalThis, "caches", { value: new WorkerhiveCacheStorage(), writable: true, configurable: true, enumerable: true })
`
}
