/**
 * A map that keeps its most recently used entries within a budget: each entry weighs `weigh(value)`
 * (1 by default, so the budget is a count), and past the budget the least recently used go first.
 */
export class RecentlyUsed<K, V> {
  readonly #entries = new Map<K, { value: V; weight: number }>()
  #weight = 0

  constructor(
    private readonly budget: number,
    private readonly weigh: (value: V) => number = () => 1,
  ) {}

  get(key: K): V | undefined {
    const entry = this.#entries.get(key)
    if (!entry) return undefined
    // Re-inserted: Map iteration order is the eviction order.
    this.#entries.delete(key)
    this.#entries.set(key, entry)
    return entry.value
  }

  set(key: K, value: V): void {
    const old = this.#entries.get(key)
    if (old) {
      this.#entries.delete(key)
      this.#weight -= old.weight
    }
    const weight = this.weigh(value)
    this.#entries.set(key, { value, weight })
    this.#weight += weight
    for (const [k, e] of this.#entries) {
      if (this.#weight <= this.budget) break
      this.#entries.delete(k)
      this.#weight -= e.weight
    }
  }
}
