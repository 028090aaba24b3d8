import type { EventQuery, InvocationStore, ScriptRef } from '../store.js'
import { accountsOf, mergeCounts, NAMESPACE_TOTALS_SQL, stampOf, toInvocationCount, toNamespaceTotal, toStoredEvent, type CountRow, type EventRow, type NamespaceTotalRow } from '../shared/invocations.js'
import { toJson, type Db } from './database.js'

const column = <T, K extends keyof T>(rows: T[], key: K): Array<T[K]> => rows.map((r) => r[key])

export function postgresInvocations(db: Db): InvocationStore {
  return {
    async record(batch, retention) {
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
        const json = events.map((e) => toJson(e.event))
        const stamps = events.map((e, i) => stampOf(e, json[i] as string, retention.now))
        // WITH ORDINALITY keeps the batch's order in the sequence numbers.
        await sql.run(
          `INSERT INTO invocation_events (account_id, namespace_id, script, event, ts, bytes)
           SELECT a, n, s, e::json, t, b FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::bigint[]) WITH ORDINALITY AS u(a, n, s, e, t, b, i)
           ORDER BY i`,
          [column(events, 'accountId'), column(events, 'namespaceId'), column(events, 'script'), json, stamps.map((x) => x.ts), stamps.map((x) => x.bytes)],
        )
        for (const account of accountsOf(events)) {
          await sql.run('DELETE FROM invocation_events WHERE account_id = $1 AND ts < $2', [account, retention.now - retention.maxAgeMs])
          // The oldest events past the byte budget: those whose running total, newest first, exceeds it.
          await sql.run(
            `DELETE FROM invocation_events WHERE account_id = $1 AND seq IN (
               SELECT seq FROM (SELECT seq, SUM(bytes) OVER (ORDER BY seq DESC) AS newer FROM invocation_events WHERE account_id = $1) running
               WHERE newer > $2)`,
            [account, retention.maxBytes],
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
    async query(accountId: string, q: EventQuery) {
      const where = ['account_id = $1', 'ts >= $2', 'ts <= $3']
      const args: unknown[] = [accountId, q.from, q.to]
      if (q.script) {
        args.push(q.script.namespaceId, q.script.script)
        where.push(`namespace_id = $${args.length - 1}`, `script = $${args.length}`)
      }
      if (q.needle) {
        args.push(q.needle)
        where.push(`strpos(lower(event::text), lower($${args.length})) > 0`)
      }
      args.push(q.limit)
      const rows = await db.rows<EventRow>(
        `SELECT seq, account_id, namespace_id, script, ts, event FROM invocation_events WHERE ${where.join(' AND ')} ORDER BY ts DESC, seq DESC LIMIT $${args.length}`,
        args,
      )
      return rows.map(toStoredEvent)
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
