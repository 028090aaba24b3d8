import type { Clock } from '../../util/clock.js'
import { toContainment, type ContainmentRow } from '../shared/containment.js'
import type { ContainmentRecord, ContainmentStore } from '../store.js'
import type { Db } from './database.js'

export function sqliteContainment(db: Db, clock: Clock): ContainmentStore {
  const s = {
    active: db.prepare<[number], ContainmentRow>('SELECT * FROM containment WHERE until_ms > ? ORDER BY account_id, namespace_id, script'),
    upsert: db.prepare(
      `INSERT INTO containment (account_id, namespace_id, script, status, reason, strikes, until_ms)
       VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (account_id, namespace_id, script) DO UPDATE SET
         status = excluded.status, reason = excluded.reason, strikes = excluded.strikes, until_ms = excluded.until_ms`,
    ),
    expire: db.prepare('DELETE FROM containment WHERE until_ms <= ?'),
  }
  const putAll = db.transaction((records: ContainmentRecord[], now: number) => {
    for (const r of records) s.upsert.run(r.accountId, r.namespaceId, r.script, r.status, r.reason, r.strikes, r.until)
    s.expire.run(now)
  })
  return {
    async active() {
      return s.active.all(clock.now()).map(toContainment)
    },
    async put(records) {
      putAll(records, clock.now())
    },
  }
}
