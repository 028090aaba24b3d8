import type { PlacementStore } from '../placement-store.js'
import { claimLeaseSql, toLease, type LeaseRow } from '../shared/placement.js'
import { objectAlarmSql, toObjectAlarm, type ObjectAlarmRow } from '../shared/object-alarms.js'
import { pageSql, prefixRange, toFirstPage, toImage, toPage, type ImageRow, type PageRow } from '../shared/placement-pages.js'
import { dialect, type Db } from './database.js'

const sql = {
  claim: claimLeaseSql(dialect.placeholder),
  get: 'SELECT * FROM placement_leases WHERE resource = $1',
  release: 'DELETE FROM placement_leases WHERE resource = $1 AND node = $2',
  ...pageSql(dialect.placeholder),
  alarms: objectAlarmSql(dialect.placeholder),
  /** Many pages in one round trip: arrays of numbers and of bytes, unnested side by side. */
  upsertPages: `INSERT INTO placement_pages (resource, page_no, version, data)
    SELECT $1, u.no, $2, u.data FROM unnest($3::bigint[], $4::bytea[]) AS u(no, data)
    ON CONFLICT (resource, page_no) DO UPDATE SET version = excluded.version, data = excluded.data`,
}

/** Pages per upsert statement (4 MiB of 4 KiB pages). */
const PAGES_PER_STATEMENT = 1024

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
    async getImage(resource) {
      const r = await db.one<ImageRow>(sql.getImage, [resource])
      return r && toImage(r)
    },
    async writePages(w) {
      return db.tx(async (q) => {
        const moved =
          w.fromVersion === 0
            ? await q.run(sql.insertImage, [w.resource, w.pageSize, w.pageCount])
            : await q.run(sql.bumpImage, [w.pageSize, w.pageCount, w.resource, w.fromVersion])
        if (moved === 0) return undefined
        const version = w.fromVersion + 1
        for (let i = 0; i < w.pages.length; i += PAGES_PER_STATEMENT) {
          const slice = w.pages.slice(i, i + PAGES_PER_STATEMENT)
          await q.run(sql.upsertPages, [w.resource, version, slice.map((p) => p.no), slice.map((p) => Buffer.from(p.data.buffer, p.data.byteOffset, p.data.byteLength))])
        }
        await q.run(sql.dropPagesFrom, [w.resource, w.pageCount])
        return version
      })
    },
    async readPages(resource, fromNo, limit) {
      return (await db.rows<PageRow>(sql.readPages, [resource, fromNo, limit])).map(toPage)
    },
    async firstPages(prefix) {
      return (await db.rows<{ resource: string; data: Uint8Array }>(sql.firstPages, prefixRange(prefix))).map(toFirstPage)
    },
    async deleteImage(resource) {
      await db.tx(async (q) => {
        await q.run(sql.deletePages, [resource])
        await q.run(sql.deleteImage, [resource])
      })
    },
    async setObjectAlarm(a) {
      await db.run(sql.alarms.set, [a.namespaceId, a.objectId, a.alarmAt])
    },
    async deleteObjectAlarm(namespaceId, objectId) {
      await db.run(sql.alarms.delete, [namespaceId, objectId])
    },
    async orphanedObjectAlarms(now, limit) {
      return (await db.rows<ObjectAlarmRow>(sql.alarms.orphaned, [now, now, limit])).map(toObjectAlarm)
    },
  }
}
