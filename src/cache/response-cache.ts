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

export interface ResponseCacheOptions {
  /** All spaces together. */
  maxBytes: number
  /** One space: a tenant filling its cache evicts its own entries first, never more than this of others'. */
  maxSpaceBytes: number
  maxEntryBytes: number
  clock: Clock
}

interface Stored extends CachedResponse {
  size: number
}

interface Space {
  bytes: number
  /** Least recently used first (Map iteration order). */
  entries: Map<string, Stored>
}

/**
 * The Cache API's storage: in memory, bounded by bytes, expired entries dropped when met. Fair
 * between tenants: each space has a quota, and when the whole is full the least recently used entry
 * of the biggest space goes first. Like a Cloudflare data centre's cache it is best effort and local
 * to this node; nothing in it survives a restart.
 */
export class ResponseCache {
  readonly #spaces = new Map<string, Space>()
  #bytes = 0

  constructor(private readonly options: ResponseCacheOptions) {}

  /** The largest response body a put may send (its head counts against it as well once stored). */
  get maxEntryBytes(): number {
    return this.options.maxEntryBytes
  }

  put(scope: CacheScope, url: string, head: ResponseHead, body: Buffer): PutOutcome {
    const now = this.options.clock.now()
    const decision = storeDecision(head, now)
    // Whatever happens, what was there is stale now.
    this.delete(scope, url)
    if (!decision.store) return { stored: false, reason: decision.reason }
    const key = keyOf(scope, url)
    const size = body.length + key.length + decision.headers.reduce((n, [k, v]) => n + k.length + v.length, 0)
    if (size > this.options.maxEntryBytes) return { stored: false, reason: `larger than ${this.options.maxEntryBytes} bytes` }
    const space = this.#space(scope.space)
    space.entries.set(key, { status: head.status, headers: decision.headers, body, expiresAt: now + decision.ttlSeconds * 1000, size })
    space.bytes += size
    this.#bytes += size
    while (space.bytes > this.options.maxSpaceBytes) this.#evictOldest(scope.space, space)
    while (this.#bytes > this.options.maxBytes) this.#evictFromBiggest()
    return { stored: true }
  }

  match(scope: CacheScope, url: string): CachedResponse | undefined {
    const space = this.#spaces.get(scope.space)
    const key = keyOf(scope, url)
    const entry = space?.entries.get(key)
    if (!space || !entry) return undefined
    space.entries.delete(key)
    if (entry.expiresAt <= this.options.clock.now()) {
      this.#forget(scope.space, space, entry)
      return undefined
    }
    // Re-inserted: the most recently used now.
    space.entries.set(key, entry)
    return entry
  }

  delete(scope: CacheScope, url: string): boolean {
    const space = this.#spaces.get(scope.space)
    const key = keyOf(scope, url)
    const entry = space?.entries.get(key)
    if (!space || !entry) return false
    space.entries.delete(key)
    this.#forget(scope.space, space, entry)
    return entry.expiresAt > this.options.clock.now()
  }

  get bytes(): number {
    return this.#bytes
  }

  #space(name: string): Space {
    let space = this.#spaces.get(name)
    if (!space) this.#spaces.set(name, (space = { bytes: 0, entries: new Map() }))
    return space
  }

  /** Accounts for an entry already taken out of its space's map. */
  #forget(name: string, space: Space, entry: Stored): void {
    space.bytes -= entry.size
    this.#bytes -= entry.size
    if (space.entries.size === 0) this.#spaces.delete(name)
  }

  #evictOldest(name: string, space: Space): void {
    const [key, entry] = space.entries.entries().next().value!
    space.entries.delete(key)
    this.#forget(name, space, entry)
  }

  #evictFromBiggest(): void {
    let biggest: [string, Space] | undefined
    for (const candidate of this.#spaces) if (!biggest || candidate[1].bytes > biggest[1].bytes) biggest = candidate
    if (biggest) this.#evictOldest(biggest[0], biggest[1])
  }
}

function keyOf(scope: CacheScope, url: string): string {
  return `${scope.name}\n${url}`
}
