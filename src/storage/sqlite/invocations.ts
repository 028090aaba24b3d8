import type { InvocationStore, ScriptRef } from '../store.js'
import { mergeCounts, NAMESPACE_TOTALS_SQL, scriptsOf, toInvocationCount, toNamespaceTotal, type CountRow, type NamespaceTotalRow } from '../shared/invocations.js'
import { fromJson, toJson, type Db } from './database.js'

type ScriptArgs = [string, string, string]
const scriptArgs = (r: ScriptRef): ScriptArgs => [r.accountId, r.namespaceId, r.script]

export function sqliteInvocations(db: Db): InvocationStore {
  const s = {
    addCount: db.prepare(
      `INSERT INTO invocation_counts (account_id, namespace_id, script, outcome, count, last_seen)
       VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (account_id, namespace_id, script, outcome) DO UPDATE SET
         count = count + excluded.count, last_seen = MAX(last_seen, excluded.last_seen)`,
    ),
    append: db.prepare('INSERT INTO invocation_events (account_id, namespace_id, script, event) VALUES (?, ?, ?, ?)'),
    // Everything up to the (keep+1)-th newest event of the script; nothing when it has fewer.
    prune: db.prepare<[...ScriptArgs, ...ScriptArgs, number]>(
      `DELETE FROM invocation_events WHERE account_id = ? AND namespace_id = ? AND script = ? AND seq <= (
         SELECT seq FROM invocation_events WHERE account_id = ? AND namespace_id = ? AND script = ?
         ORDER BY seq DESC LIMIT 1 OFFSET ?)`,
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
  const record = db.transaction((batch: Parameters<InvocationStore['record']>[0], keep: number) => {
    for (const c of mergeCounts(batch.counts)) s.addCount.run(...scriptArgs(c), c.outcome, c.count, c.lastSeen)
    for (const e of batch.events) s.append.run(...scriptArgs(e), toJson(e.event))
    for (const ref of scriptsOf(batch.events)) s.prune.run(...scriptArgs(ref), ...scriptArgs(ref), keep)
  })
  return {
    async record(batch, keepPerScript) {
      record(batch, keepPerScript)
    },
    async recent(ref, limit) {
      return s.recent.all(...scriptArgs(ref), limit).map((r) => fromJson<Record<string, unknown>>(r.event))
    },
    async counts(accountId) {
      return s.counts.all(accountId).map(toInvocationCount)
    },
    async namespaceTotals() {
      return s.namespaceTotals.all().map(toNamespaceTotal)
    },
  }
}
