// A workerd process's cache of KV reads (compiled in both worlds; imports nothing), so a binding
// get that was answered recently does not cross to Node again. Cloudflare's KV behaves the same
// way: a read is cached where it was made for its `cacheTtl` (default 60 s, at least 30 s), and a
// missing key is cached as missing. Unlike Cloudflare, a write on this node reaches every process's
// cache before the write answers (Node tells each process over its control socket).

/** What Node answered for one key: the value with its headers, or that the key is absent. */
export interface KvCachedRead {
  found: boolean
  value: ArrayBuffer | null
  /** The metadata and expiration headers of the answer, as Node sent them. */
  headers: Array<[string, string]>
}

interface Entry {
  read: KvCachedRead
  expiresAt: number
  bytes: number
}

/** Bookkeeping per entry beyond its key and value (map slots, header strings, the object). */
const ENTRY_OVERHEAD_BYTES = 128

export interface KvReadCacheOptions {
  /** Bound on what all entries weigh together (keys, values, headers). */
  maxBytes: number
  /** Larger values are not cached: one of them would push out many small ones. */
  maxEntryBytes: number
  now: () => number
}

/**
 * Least recently used first out, bounded by bytes. Keys are namespaced by account and KV
 * namespace; a write in a namespace bumps its `generation`, so a read that started before the
 * write never fills the cache with what it got (`set` is given the generation its read started at).
 */
export class KvReadCache {
  readonly #entries = new Map<string, Entry>()
  readonly #options: KvReadCacheOptions
  #bytes = 0
  /** Bumped by clear(); each namespace's own count by its invalidations. */
  #epoch = 0
  readonly #writes = new Map<string, number>()

  constructor(options: KvReadCacheOptions) {
    this.#options = options
  }

  get bytes(): number {
    return this.#bytes
  }

  get size(): number {
    return this.#entries.size
  }

  /** Changes with every invalidation of the namespace; pass the value seen before a read to `set`. */
  generation(ns: string): string {
    return `${this.#epoch}/${this.#writes.get(ns) ?? 0}`
  }

  /**
   * The generation a namespace reaches when exactly one invalidation follows `generation`: the
   * one a write made through this process causes. A write's answer may be cached under it, and
   * any other write in between (whose value may be newer) keeps it out.
   */
  afterOwnWrite(generation: string): string {
    const slash = generation.indexOf('/')
    return `${generation.slice(0, slash)}/${Number(generation.slice(slash + 1)) + 1}`
  }

  get(ns: string, key: string): KvCachedRead | undefined {
    const id = entryKey(ns, key)
    const entry = this.#entries.get(id)
    if (!entry) return undefined
    this.#entries.delete(id)
    if (entry.expiresAt <= this.#options.now()) {
      this.#bytes -= entry.bytes
      return undefined
    }
    this.#entries.set(id, entry)
    return entry.read
  }

  /** Caches a read until `expiresAt` (ms), unless a write happened since `generation` was read. */
  set(ns: string, key: string, read: KvCachedRead, expiresAt: number, generation: string): boolean {
    if (generation !== this.generation(ns) || expiresAt <= this.#options.now()) return false
    const bytes = weigh(ns, key, read)
    if (bytes > this.#options.maxEntryBytes || bytes > this.#options.maxBytes) return false
    const id = entryKey(ns, key)
    this.#drop(id)
    this.#entries.set(id, { read, expiresAt, bytes })
    this.#bytes += bytes
    for (const [oldest] of this.#entries) {
      if (this.#bytes <= this.#options.maxBytes) break
      this.#drop(oldest)
    }
    return true
  }

  /** Forgets the given keys of a namespace, or all of it when `keys` is undefined. */
  invalidate(ns: string, keys?: readonly string[]): void {
    this.#writes.set(ns, (this.#writes.get(ns) ?? 0) + 1)
    if (keys) {
      for (const key of keys) this.#drop(entryKey(ns, key))
      return
    }
    const prefix = entryKey(ns, '')
    for (const id of [...this.#entries.keys()]) if (id.startsWith(prefix)) this.#drop(id)
  }

  clear(): void {
    this.#epoch++
    this.#writes.clear()
    this.#entries.clear()
    this.#bytes = 0
  }

  #drop(id: string): void {
    const entry = this.#entries.get(id)
    if (!entry) return
    this.#entries.delete(id)
    this.#bytes -= entry.bytes
  }
}

/** The namespace part is `<account>/<namespace id>`: neither contains a newline, keys may. */
const entryKey = (ns: string, key: string): string => `${ns}\n${key}`

function weigh(ns: string, key: string, read: KvCachedRead): number {
  let bytes = ENTRY_OVERHEAD_BYTES + 2 * (ns.length + key.length) + (read.value?.byteLength ?? 0)
  for (const [name, value] of read.headers) bytes += 2 * (name.length + value.length)
  return bytes
}
