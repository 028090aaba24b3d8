import type { PlacementStore } from '../placement-store.js'
import { claimLeaseSql, toLease, type LeaseRow } from '../shared/placement.js'
import { objectAlarmSql, toObjectAlarm, type ObjectAlarmRow } from '../shared/object-alarms.js'
import { pageSql, prefixRange, toFirstPage, toImage, toPage, type ImageRow, type PageRow } from '../shared/placement-pages.js'
import { dialect, type Db } from './database.js'

/**
 * One node owns everything on SQLite, so nothing reads page images back in practice; they are kept
 * all the same, so both drivers behave alike (the conformance suite holds them to it).
 */
export function sqlitePlacement(db: Db): PlacementStore {
  const pages = pageSql(dialect.placeholder)
  const alarms = objectAlarmSql(dialect.placeholder)
  const s = {
    claim: db.prepare(claimLeaseSql(dialect.placeholder)),
    get: db.prepare<[string], LeaseRow>('SELECT * FROM placement_leases WHERE resource = ?'),
    release: db.prepare('DELETE FROM placement_leases WHERE resource = ? AND node = ?'),
    getImage: db.prepare<[string], ImageRow>(pages.getImage),
    insertImage: db.prepare(pages.insertImage),
    bumpImage: db.prepare(pages.bumpImage),
    upsertPage: db.prepare(pages.upsertPage),
    dropPagesFrom: db.prepare(pages.dropPagesFrom),
    readPages: db.prepare<[string, number, number], PageRow>(pages.readPages),
    firstPages: db.prepare<[string, string], { resource: string; data: Uint8Array }>(pages.firstPages),
    deletePages: db.prepare(pages.deletePages),
    deleteImage: db.prepare(pages.deleteImage),
    setAlarm: db.prepare(alarms.set),
    deleteAlarm: db.prepare(alarms.delete),
    orphanedAlarms: db.prepare<[number, number, number], ObjectAlarmRow>(alarms.orphaned),
  }
  const writePages = db.transaction((w: Parameters<PlacementStore['writePages']>[0]): number | undefined => {
    const moved = w.fromVersion === 0 ? s.insertImage.run(w.resource, w.pageSize, w.pageCount) : s.bumpImage.run(w.pageSize, w.pageCount, w.resource, w.fromVersion)
    if (moved.changes === 0) return undefined
    const version = w.fromVersion + 1
    for (const p of w.pages) s.upsertPage.run(w.resource, p.no, version, Buffer.from(p.data.buffer, p.data.byteOffset, p.data.byteLength))
    s.dropPagesFrom.run(w.resource, w.pageCount)
    return version
  })
  const deleteImage = db.transaction((resource: string) => {
    s.deletePages.run(resource)
    s.deleteImage.run(resource)
  })
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
    async getImage(resource) {
      const r = s.getImage.get(resource)
      return r && toImage(r)
    },
    async writePages(w) {
      return writePages(w)
    },
    async readPages(resource, fromNo, limit) {
      return s.readPages.all(resource, fromNo, limit).map(toPage)
    },
    async firstPages(prefix) {
      return s.firstPages.all(...prefixRange(prefix)).map(toFirstPage)
    },
    async deleteImage(resource) {
      deleteImage(resource)
    },
    async setObjectAlarm(a) {
      s.setAlarm.run(a.namespaceId, a.objectId, a.alarmAt)
    },
    async deleteObjectAlarm(namespaceId, objectId) {
      s.deleteAlarm.run(namespaceId, objectId)
    },
    async orphanedObjectAlarms(now, limit) {
      return s.orphanedAlarms.all(now, now, limit).map(toObjectAlarm)
    },
  }
}
