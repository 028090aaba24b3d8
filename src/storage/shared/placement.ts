import type { Lease } from '../placement-store.js'

export interface LeaseRow {
  resource: string
  node: string
  address: string
  /** BIGINT: pg hands it over as a string. */
  expires_at: number | string
}

export const toLease = (r: LeaseRow): Lease => ({ resource: r.resource, node: r.node, address: r.address, expiresAt: Number(r.expires_at) })

/**
 * The claim, one statement in both dialects: insert, or take over a lease that is this node's or
 * has expired. A lease another node holds and has not let expire stays as it is.
 */
export const claimLeaseSql = (p: (n: number) => string): string =>
  `INSERT INTO placement_leases (resource, node, address, expires_at) VALUES (${p(1)}, ${p(2)}, ${p(3)}, ${p(4)})
   ON CONFLICT (resource) DO UPDATE SET node = excluded.node, address = excluded.address, expires_at = excluded.expires_at
   WHERE placement_leases.node = excluded.node OR placement_leases.expires_at <= ${p(5)}`
