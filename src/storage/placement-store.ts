/**
 * Leases that give one node at a time a resource (a D1 database, a Durable Object) on a store
 * several nodes share. A lease is the node's id, the address other nodes forward to, and when it
 * ends (milliseconds since the epoch, from the caller's clock).
 */
export interface Lease {
  resource: string
  node: string
  address: string
  expiresAt: number
}

export interface PlacementStore {
  /**
   * Takes the lease for `node` if it is free, expired or already this node's (then it is renewed
   * until `expiresAt`), all in one atomic step; answers the lease as it stands afterwards, so a
   * node that did not get it learns who holds it.
   */
  claimLease(lease: Lease, now: number): Promise<Lease>
  /** The lease as it stands, expired or not; undefined when none was ever taken. */
  getLease(resource: string): Promise<Lease | undefined>
  /** Gives the lease up if `node` holds it (a clean shutdown); false otherwise. */
  releaseLease(resource: string, node: string): Promise<boolean>
}
