import type { Clock } from '../../util/clock.js'
import { toContainment, type ContainmentRow } from '../shared/containment.js'
import type { ContainmentStore } from '../store.js'
import type { Db } from './database.js'

export function postgresContainment(db: Db, clock: Clock): ContainmentStore {
  return {
    async active() {
      const rows = await db.rows<ContainmentRow>('SELECT * FROM containment WHERE until_ms > $1 ORDER BY account_id, namespace_id, script', [clock.now()])
      return rows.map(toContainment)
    },
    async put(records) {
      // One script per record: the runtime never writes the same script twice in one call.
      await db.tx(async (sql) => {
        if (records.length > 0) {
          await sql.run(
            `INSERT INTO containment (account_id, namespace_id, script, status, reason, strikes, until_ms)
             SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $7::bigint[])
             ON CONFLICT (account_id, namespace_id, script) DO UPDATE SET
               status = excluded.status, reason = excluded.reason, strikes = excluded.strikes, until_ms = excluded.until_ms`,
            [
              records.map((r) => r.accountId),
              records.map((r) => r.namespaceId),
              records.map((r) => r.script),
              records.map((r) => r.status),
              records.map((r) => r.reason),
              records.map((r) => r.strikes),
              records.map((r) => r.until),
            ],
          )
        }
        await sql.run('DELETE FROM containment WHERE until_ms <= $1', [clock.now()])
      })
    },
  }
}
