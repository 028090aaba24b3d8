import type { EventQuery, InvocationStore } from '../store.js'
import { accountsOf, mergeCounts, NAMESPACE_TOTALS_SQL, stampOf, toInvocationCount, toNamespaceTotal, toStoredEvent, type CountRow, type EventRow, type NamespaceTotalRow } from '../shared/invocations.js'
import { fromJson, toJson, type Db } from './database.js'

type ScriptArgs = [string, string, string]
const scriptArgs = (r: { accountId: string; namespaceId: string; script: string }): ScriptArgs => [r.accountId, r.namespaceId, r.script]

export function sqliteInvocations(db: Db): InvocationStore {
  const s = {
    addCount: db.prepare(
      `INSERT INTO invocation_counts (account_id, namespace_id, script, outcome, count, last_seen)
       VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (account_id, namespace_id, script, outcome) DO UPDATE SET
         count = count + excluded.count, last_seen = MAX(last_seen, excluded.last_seen)`,
    ),
    append: db.prepare('INSERT INTO invocation_events (account_id, namespace_id, script, event, ts, bytes) VALUES (?, ?, ?, ?, ?, ?)'),
    pruneByAge: db.prepare<[string, number]>('DELETE FROM invocation_events WHERE account_id = ? AND ts < ?'),
    // The oldest events past the byte budget: those whose running total, newest first, exceeds it.
    pruneBySize: db.prepare<[string, string, number]>(
      `DELETE FROM invocation_events WHERE account_id = ? AND seq IN (
         SELECT seq FROM (SELECT seq, SUM(bytes) OVER (ORDER BY seq DESC) AS newer FROM invocation_events WHERE account_id = ?)
         WHERE newer > ?)`,
    ),
    recent: db.prepare<[...ScriptArgs, number], { event: string }>(
      `SELECT event FROM (
         SELECT seq, event FROM invocation_events WHERE account_id = ? AND namespace_id = ? AND script = ?
         ORDER BY seq DESC LIMIT ?)
       ORDER BY seq`,
    ),
    counts: db.prepare<[string], CountRow>('SELECT * FROM invocation_counts WHERE account_id = ? ORDER BY namespace_id, script, outcome'),
    namespaceTotals: db.prepare<[], NamespaceTotalRow>(NAMESPACE_TOTALS_SQL),
  }
  const record = db.transaction((batch: Parameters<InvocationStore['record']>[0], retention: Parameters<InvocationStore['record']>[1]) => {
    for (const c of mergeCounts(batch.counts)) s.addCount.run(...scriptArgs(c), c.outcome, c.count, c.lastSeen)
    for (const e of batch.events) {
      const json = toJson(e.event)
      const { ts, bytes } = stampOf(e, json, retention.now)
      s.append.run(...scriptArgs(e), json, ts, bytes)
    }
    for (const account of accountsOf(batch.events)) {
      s.pruneByAge.run(account, retention.now - retention.maxAgeMs)
      s.pruneBySize.run(account, account, retention.maxBytes)
    }
  })
  return {
    async record(batch, retention) {
      record(batch, retention)
    },
    async recent(ref, limit) {
      return s.recent.all(...scriptArgs(ref), limit).map((r) => fromJson<Record<string, unknown>>(r.event))
    },
    async query(accountId: string, q: EventQuery) {
      const where = ['account_id = ?', 'ts >= ?', 'ts <= ?']
      const args: unknown[] = [accountId, q.from, q.to]
      if (q.script) {
        where.push('namespace_id = ?', 'script = ?')
        args.push(q.script.namespaceId, q.script.script)
      }
      if (q.needle) {
        where.push('instr(lower(event), lower(?)) > 0')
        args.push(q.needle)
      }
      const sql = `SELECT seq, account_id, namespace_id, script, ts, event FROM invocation_events WHERE ${where.join(' AND ')} ORDER BY ts DESC, seq DESC LIMIT ?`
      return db.prepare<unknown[], EventRow>(sql).all(...args, q.limit).map(toStoredEvent)
    },
    async counts(accountId) {
      return s.counts.all(accountId).map(toInvocationCount)
    },
    async namespaceTotals() {
      return s.namespaceTotals.all().map(toNamespaceTotal)
    },
  }
}
