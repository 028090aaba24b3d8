import type { Lease, PlacementStore } from '../../storage/placement-store.js'
import type { Clock } from '../../util/clock.js'

/**
 * Where a resource's calls go: this node, or the owner's address (its cluster routes, see
 * cluster.ts). `acquired`: this node has just taken the resource (it did not hold a live lease on
 * it), so its local copy may be stale and must be rebuilt before the call runs.
 */
export type Owner = { local: true; acquired: boolean } | { local: false; node: string; address: string }

export interface PlacementOptions {
  store: PlacementStore
  /** This node's id (unique among the nodes sharing the store). */
  node: string
  /** Where other nodes reach this node's cluster routes (an origin: `http://10.0.0.5:8080`). */
  address: string
  clock: Clock
  /** How long a claim lasts; an owner that stops renewing loses its resources after this. */
  leaseMs?: number
}

/**
 * One node's side of placement, for any resource that must live in one place at a time (a D1
 * database, a Durable Object): `owner(resource)` claims the resource's lease when it is free or
 * expired and answers where its calls go. A lease this node holds is renewed whenever it is asked
 * about in the last two thirds of its term, and by `renew()` (`start()`'s timer calls it a third of
 * the term apart), so a node that dies (kill -9) keeps its resources for at most one term.
 * Callers serialize the calls of one resource (owner(), then the call, one at a time), so exactly
 * one of them sees `acquired` and rebuilds before any other runs.
 */
export class Placement {
  readonly #o: Required<PlacementOptions>
  /** Leases this node holds, by resource. */
  readonly #held = new Map<string, Lease>()
  /**
   * Other nodes' leases as last read, trusted until they end: a forwarded call then costs no store
   * round trip. Safe because the owner checks its own lease before it runs a call; a caller told
   * otherwise (or that cannot reach the owner) calls `forgetOwner()` and asks the store again.
   */
  readonly #remote = new Map<string, Lease>()
  #timer: NodeJS.Timeout | undefined
  #renewing: Promise<void> | undefined

  constructor(options: PlacementOptions) {
    this.#o = { leaseMs: 15_000, ...options }
  }

  get renewEveryMs(): number {
    return Math.floor(this.#o.leaseMs / 3)
  }

  async owner(resource: string): Promise<Owner> {
    const now = this.#o.clock.now()
    const held = this.#held.get(resource)
    if (held && held.expiresAt - now > (2 * this.#o.leaseMs) / 3) return { local: true, acquired: false }
    const remote = this.#remote.get(resource)
    if (remote && remote.expiresAt > now) return { local: false, node: remote.node, address: remote.address }
    return this.#claim(resource, now)
  }

  /** Drops what this node believed of another node's lease (it answered that it is not the owner, or not at all). */
  forgetOwner(resource: string): void {
    this.#remote.delete(resource)
  }

  /** Whether this node holds a live lease on the resource (no store call). */
  holds(resource: string): boolean {
    const held = this.#held.get(resource)
    return held !== undefined && held.expiresAt > this.#o.clock.now()
  }

  /** Renews held leases every third of a term until `stop()`; failures are left to the next round. */
  start(onError: (err: unknown) => void = () => {}): void {
    if (this.#timer) return
    this.#timer = setInterval(() => {
      this.#renewing ??= this.renew()
        .catch(onError)
        .finally(() => (this.#renewing = undefined))
    }, this.renewEveryMs)
    this.#timer.unref()
  }

  /** Stops renewing and gives every lease up, so other nodes take over at once. */
  async stop(): Promise<void> {
    clearInterval(this.#timer)
    this.#timer = undefined
    await this.#renewing
    await this.releaseAll()
  }

  /** Gives one lease up (the owner steps down: its copy can no longer be trusted). */
  async release(resource: string): Promise<void> {
    this.#held.delete(resource)
    await this.#o.store.releaseLease(resource, this.#o.node)
  }

  /**
   * Renews every lease this node holds. One that ran out before it was renewed is forgotten, not
   * claimed again: another node may have held it meanwhile, so the next call must see `acquired`.
   */
  async renew(): Promise<void> {
    const { node, address, leaseMs, store, clock } = this.#o
    const now = clock.now()
    for (const [resource, held] of [...this.#held]) {
      if (held.expiresAt <= now) {
        this.#held.delete(resource)
        continue
      }
      const lease = await store.claimLease({ resource, node, address, expiresAt: now + leaseMs }, now)
      // Released (a step down) or claimed again while this renewal ran: theirs is the last word, so a
      // resource given up is never silently held again without its next call seeing `acquired`.
      if (this.#held.get(resource) !== held) continue
      if (lease.node === node) this.#held.set(resource, lease)
      else this.#held.delete(resource)
    }
  }

  /** Gives every lease up (a clean stop), so other nodes take over at once. */
  async releaseAll(): Promise<void> {
    for (const resource of [...this.#held.keys()]) await this.#o.store.releaseLease(resource, this.#o.node)
    this.#held.clear()
  }

  async #claim(resource: string, now: number): Promise<Owner> {
    const { node, address, leaseMs, store } = this.#o
    const before = this.#held.get(resource)
    const lease = await store.claimLease({ resource, node, address, expiresAt: now + leaseMs }, now)
    this.#remote.delete(resource)
    if (lease.node === node) {
      this.#held.set(resource, lease)
      // A lease of ours that had run out may have been another node's meanwhile.
      return { local: true, acquired: before === undefined || before.expiresAt <= now }
    }
    this.#held.delete(resource)
    this.#remote.set(resource, lease)
    return { local: false, node: lease.node, address: lease.address }
  }
}
