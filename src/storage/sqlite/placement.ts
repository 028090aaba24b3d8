import type { PlacementStore } from '../placement-store.js'
import { claimLeaseSql, toLease, type LeaseRow } from '../shared/placement.js'
import { dialect, type Db } from './database.js'

export function sqlitePlacement(db: Db): PlacementStore {
  const s = {
    claim: db.prepare(claimLeaseSql(dialect.placeholder)),
    get: db.prepare<[string], LeaseRow>('SELECT * FROM placement_leases WHERE resource = ?'),
    release: db.prepare('DELETE FROM placement_leases WHERE resource = ? AND node = ?'),
  }
  return {
    async claimLease(lease, now) {
      s.claim.run(lease.resource, lease.node, lease.address, lease.expiresAt, now)
      return toLease(s.get.get(lease.resource)!)
    },
    async getLease(resource) {
      const r = s.get.get(resource)
      return r && toLease(r)
    },
    async releaseLease(resource, node) {
      return s.release.run(resource, node).changes > 0
    },
  }
}
