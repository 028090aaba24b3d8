import type { PlacementStore } from '../placement-store.js'
import { claimLeaseSql, toLease, type LeaseRow } from '../shared/placement.js'
import { dialect, type Db } from './database.js'

const sql = {
  claim: claimLeaseSql(dialect.placeholder),
  get: 'SELECT * FROM placement_leases WHERE resource = $1',
  release: 'DELETE FROM placement_leases WHERE resource = $1 AND node = $2',
}

export function postgresPlacement(db: Db): PlacementStore {
  return {
    async claimLease(lease, now) {
      // One transaction: the lease read back is the one the claim left, not a later claim's.
      return db.tx(async (q) => {
        await q.run(sql.claim, [lease.resource, lease.node, lease.address, lease.expiresAt, now])
        return toLease((await q.one<LeaseRow>(sql.get, [lease.resource]))!)
      })
    },
    async getLease(resource) {
      const r = await db.one<LeaseRow>(sql.get, [resource])
      return r && toLease(r)
    },
    async releaseLease(resource, node) {
      return (await db.run(sql.release, [resource, node])) > 0
    },
  }
}
