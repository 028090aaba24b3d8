import type { Lease, PlacementStore } from '../../storage/placement-store.js'
import type { Clock } from '../../util/clock.js'

/** Where a resource's calls go: this node, or the owner's internal address. */
export type Owner = { local: true } | { local: false; node: string; address: string }

export interface PlacementOptions {
  store: PlacementStore
  /** This node's id (unique among the nodes sharing the store). */
  node: string
  /** Where other nodes reach this node's internal API. */
  address: string
  clock: Clock
  /** How long a claim lasts; an owner that stops renewing loses its resources after this. */
  leaseMs?: number
}

/**
 * One node's side of placement, for any resource that must live in one place at a time (a D1
 * database, a Durable Object): `owner(resource)` claims the resource's lease when it is free or
 * expired and answers where its calls go. A lease this node holds is renewed whenever it is asked
 * about in the last two thirds of its term, and by `renew()` (a timer calls it a third of the term
 * apart), so a node that dies (kill -9) keeps its resources for at most one term.
 */
export class Placement {
  readonly #o: Required<PlacementOptions>
  /** Leases this node holds, by resource. */
  readonly #held = new Map<string, Lease>()

  constructor(options: PlacementOptions) {
    this.#o = { leaseMs: 15_000, ...options }
  }

  get renewEveryMs(): number {
    return Math.floor(this.#o.leaseMs / 3)
  }

  async owner(resource: string): Promise<Owner> {
    const now = this.#o.clock.now()
    const held = this.#held.get(resource)
    if (held && held.expiresAt - now > (2 * this.#o.leaseMs) / 3) return { local: true }
    return this.#claim(resource, now)
  }

  /** Renews every lease this node holds; ones it lost meanwhile are forgotten. */
  async renew(): Promise<void> {
    const now = this.#o.clock.now()
    for (const resource of [...this.#held.keys()]) await this.#claim(resource, now)
  }

  /** Gives every lease up (a clean stop), so other nodes take over at once. */
  async releaseAll(): Promise<void> {
    for (const resource of [...this.#held.keys()]) await this.#o.store.releaseLease(resource, this.#o.node)
    this.#held.clear()
  }

  async #claim(resource: string, now: number): Promise<Owner> {
    const { node, address, leaseMs, store } = this.#o
    const lease = await store.claimLease({ resource, node, address, expiresAt: now + leaseMs }, now)
    if (lease.node === node) {
      this.#held.set(resource, lease)
      return { local: true }
    }
    this.#held.delete(resource)
    return { local: false, node: lease.node, address: lease.address }
  }
}
