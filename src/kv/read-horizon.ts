/** Slack for the time between Node answering a read and the edge process caching it. */
const MARGIN_MS = 5_000

/**
 * Until when each KV namespace may have reads cached in this node's edge processes. Node answers
 * every read that fills an edge cache (a binding get), so it knows; a write to a namespace nobody
 * has read through a binding lately then need not wait for the edge (see withKvChanges). Real
 * time, as the edge caches use it.
 */
export class KvReadHorizon {
  readonly #until = new Map<string, number>()
  readonly #now: () => number

  constructor(now: () => number = Date.now) {
    this.#now = now
  }

  /** A binding read of the namespace was answered; the edge may cache it for `ttlSeconds`. */
  read(accountId: string, namespaceId: string, ttlSeconds: number): void {
    const key = `${accountId}/${namespaceId}`
    const until = this.#now() + ttlSeconds * 1000 + MARGIN_MS
    if (until > (this.#until.get(key) ?? 0)) this.#until.set(key, until)
  }

  /**
   * Until when (ms) every write of the namespace will reach the edge, or undefined when writes
   * skip it now: an edge process may keep a value it wrote itself until then, no longer.
   */
  until(accountId: string, namespaceId: string): number | undefined {
    return this.mayBeCached(accountId, namespaceId) ? this.#until.get(`${accountId}/${namespaceId}`) : undefined
  }

  mayBeCached(accountId: string, namespaceId: string): boolean {
    const key = `${accountId}/${namespaceId}`
    const until = this.#until.get(key)
    if (until === undefined) return false
    if (until > this.#now()) return true
    this.#until.delete(key)
    return false
  }
}
