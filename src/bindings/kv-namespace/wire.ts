// The KV binding's wire, compiled in both worlds. Inside a loaded Worker, the KVNamespace
// (isolate/kv-namespace.ts) calls its raw binding's fetch() at KV_ORIGIN + an operation path; the host's
// KvNamespace entrypoint (kv.worker.ts) forwards the call to the matching route of Node's KV
// handlers (internal.ts) under the binding's own namespace.
import { defineRoute } from '../../shared/wire.js'
import type { HostBinding } from '../../shared/protocol.js'

export const KV_ORIGIN = 'http://kv.workerhive.invalid/'

/** Node's routes for the binding, by operation; the shim's path is the route's last segments. */
export const KV_WIRE = {
  get: defineRoute('GET', '/internal/kv/:account/:ns/value', ['key', 'cache_ttl']),
  put: defineRoute('PUT', '/internal/kv/:account/:ns/value', ['key', 'expiration', 'expiration_ttl']),
  delete: defineRoute('DELETE', '/internal/kv/:account/:ns/value', ['key']),
  list: defineRoute('GET', '/internal/kv/:account/:ns/keys', ['prefix', 'limit', 'cursor']),
  getBulk: defineRoute('POST', '/internal/kv/:account/:ns/bulk/get'),
} as const

/** The operation path the shim uses for a route (`value`, `keys`, `bulk/get`). */
export const kvOperationOf = (path: string): string => path.replace('/internal/kv/:account/:ns/', '')

/** Headers of the wire: metadata as JSON text, expiration in unix seconds, Cloudflare's error code. */
export const KV_HEADERS = {
  metadata: 'x-kv-metadata',
  expiration: 'x-kv-expiration',
  errorCode: 'x-kv-error-code',
  /** On a put's or delete's answer: until when (ms) the writing process may cache what it wrote. */
  cacheUntil: 'x-kv-cache-until',
} as const

/**
 * Each workerd process caches binding reads (src/shared/kv-read-cache.ts) for the read's
 * `cacheTtl`: Cloudflare's default and minimum (the minimum is KV_LIMITS.minCacheTtl, a test keeps
 * them equal), within a byte budget per process.
 */
export const KV_CACHE = {
  defaultTtlSeconds: 60,
  minTtlSeconds: 30,
  maxBytes: 32 * 1024 * 1024,
  maxEntryBytes: 1024 * 1024,
} as const

/** A KV binding as the host builds it into env. */
export interface KvHostBinding extends HostBinding {
  type: 'kv'
  namespaceId: string
}
