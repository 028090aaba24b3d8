import type { Clock } from '../util/clock.js'
import { storeDecision, type ResponseHead } from './policy.js'

/** One stored response. */
export interface CachedResponse {
  status: number
  headers: Array<[string, string]>
  body: Buffer
  expiresAt: number
}

/**
 * Where an entry lives: a cache space (who may see it, decided by the host from the script's
 * identity and its namespace's trust) and a cache name (`default` or the `caches.open()` name).
 */
export interface CacheScope {
  space: string
  name: string
}

export type PutOutcome = { stored: true } | { stored: false; reason: string }

/**
 * The Cache API's storage: in memory, bounded by bytes, least recently used entries evicted first,
 * expired entries dropped when met. Like a Cloudflare data centre's cache it is best effort and
 * local to this node; nothing in it survives a restart.
 */
export class ResponseCache {
  readonly #entries = new Map<string, CachedResponse>()
  #bytes = 0

  constructor(
    private readonly options: { maxBytes: number; maxEntryBytes: number; clock: Clock },
  ) {}

  put(scope: CacheScope, url: string, head: ResponseHead, body: Buffer): PutOutcome {
    const now = this.options.clock.now()
    const decision = storeDecision(head, now)
    if (!decision.store) {
      // A response that may not be stored still replaces what was there: the old one is stale.
      this.delete(scope, url)
      return { stored: false, reason: decision.reason }
    }
    const entry: CachedResponse = { status: head.status, headers: decision.headers, body, expiresAt: now + decision.ttlSeconds * 1000 }
    const key = keyOf(scope, url)
    const size = sizeOf(key, entry)
    this.#remove(key)
    if (size > this.options.maxEntryBytes) return { stored: false, reason: `larger than ${this.options.maxEntryBytes} bytes` }
    this.#entries.set(key, entry)
    this.#bytes += size
    this.#evict()
    return { stored: true }
  }

  match(scope: CacheScope, url: string): CachedResponse | undefined {
    const key = keyOf(scope, url)
    const entry = this.#entries.get(key)
    if (!entry) return undefined
    if (entry.expiresAt <= this.options.clock.now()) {
      this.#remove(key)
      return undefined
    }
    // Re-insert: Map iteration order is the eviction order.
    this.#entries.delete(key)
    this.#entries.set(key, entry)
    return entry
  }

  delete(scope: CacheScope, url: string): boolean {
    const key = keyOf(scope, url)
    const entry = this.#entries.get(key)
    this.#remove(key)
    return entry !== undefined && entry.expiresAt > this.options.clock.now()
  }

  get bytes(): number {
    return this.#bytes
  }

  #remove(key: string): void {
    const entry = this.#entries.get(key)
    if (!entry) return
    this.#entries.delete(key)
    this.#bytes -= sizeOf(key, entry)
  }

  #evict(): void {
    for (const key of this.#entries.keys()) {
      if (this.#bytes <= this.options.maxBytes) return
      this.#remove(key)
    }
  }
}

function keyOf(scope: CacheScope, url: string): string {
  return `${scope.space}\n${scope.name}\n${url}`
}

/** What an entry costs: body, headers and key, roughly as held in memory. */
function sizeOf(key: string, entry: CachedResponse): number {
  return entry.body.length + key.length + entry.headers.reduce((n, [k, v]) => n + k.length + v.length, 0)
}
