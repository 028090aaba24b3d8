import type { InvocationStore, ScriptRef } from '../store.js'
import { mergeCounts, NAMESPACE_TOTALS_SQL, scriptsOf, toInvocationCount, toNamespaceTotal, type CountRow, type NamespaceTotalRow } from '../shared/invocations.js'
import { toJson, type Db } from './database.js'

const column = <T, K extends keyof T>(rows: T[], key: K): Array<T[K]> => rows.map((r) => r[key])

export function postgresInvocations(db: Db): InvocationStore {
  return {
    async record(batch, keepPerScript) {
      const counts = mergeCounts(batch.counts)
      const events = batch.events
      if (counts.length === 0 && events.length === 0) return
      await db.tx(async (sql) => {
        if (counts.length > 0) {
          await sql.run(
            `INSERT INTO invocation_counts (account_id, namespace_id, script, outcome, count, last_seen)
             SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::bigint[])
             ON CONFLICT (account_id, namespace_id, script, outcome) DO UPDATE SET
               count = invocation_counts.count + excluded.count,
               last_seen = GREATEST(invocation_counts.last_seen, excluded.last_seen)`,
            [
              column(counts, 'accountId'),
              column(counts, 'namespaceId'),
              column(counts, 'script'),
              column(counts, 'outcome'),
              column(counts, 'count'),
              column(counts, 'lastSeen'),
            ],
          )
        }
        if (events.length === 0) return
        // WITH ORDINALITY keeps the batch's order in the sequence numbers.
        await sql.run(
          `INSERT INTO invocation_events (account_id, namespace_id, script, event)
           SELECT a, n, s, e::json FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS t(a, n, s, e, i)
           ORDER BY i`,
          [column(events, 'accountId'), column(events, 'namespaceId'), column(events, 'script'), events.map((e) => toJson(e.event))],
        )
        for (const ref of scriptsOf(events)) {
          await sql.run(
            `DELETE FROM invocation_events WHERE account_id = $1 AND namespace_id = $2 AND script = $3 AND seq <= (
               SELECT seq FROM invocation_events WHERE account_id = $1 AND namespace_id = $2 AND script = $3
               ORDER BY seq DESC LIMIT 1 OFFSET $4)`,
            [ref.accountId, ref.namespaceId, ref.script, keepPerScript],
          )
        }
      })
    },
    async recent(ref: ScriptRef, limit) {
      const rows = await db.rows<{ event: Record<string, unknown> }>(
        `SELECT event FROM (
           SELECT seq, event FROM invocation_events WHERE account_id = $1 AND namespace_id = $2 AND script = $3
           ORDER BY seq DESC LIMIT $4) newest
         ORDER BY seq`,
        [ref.accountId, ref.namespaceId, ref.script, limit],
      )
      return rows.map((r) => r.event)
    },
    async counts(accountId) {
      const rows = await db.rows<CountRow>('SELECT * FROM invocation_counts WHERE account_id = $1 ORDER BY namespace_id, script, outcome', [accountId])
      return rows.map(toInvocationCount)
    },
    async namespaceTotals() {
      return (await db.rows<NamespaceTotalRow>(NAMESPACE_TOTALS_SQL)).map(toNamespaceTotal)
    },
  }
}
