import type { InvocationCount, NamespaceTotal, ScriptRef } from '../store.js'

/** One counter per script and outcome: a batch may count the same pair twice (two processes). */
export function mergeCounts(counts: InvocationCount[]): InvocationCount[] {
  const merged = new Map<string, InvocationCount>()
  for (const c of counts) {
    const key = JSON.stringify([c.accountId, c.namespaceId, c.script, c.outcome])
    const seen = merged.get(key)
    if (seen) merged.set(key, { ...seen, count: seen.count + c.count, lastSeen: Math.max(seen.lastSeen, c.lastSeen) })
    else merged.set(key, { ...c })
  }
  return [...merged.values()]
}

/** The distinct scripts of a batch of events, each once: the ones whose history is pruned. */
export function scriptsOf(events: ScriptRef[]): ScriptRef[] {
  const seen = new Map<string, ScriptRef>()
  for (const e of events) {
    const key = JSON.stringify([e.accountId, e.namespaceId, e.script])
    if (!seen.has(key)) seen.set(key, { accountId: e.accountId, namespaceId: e.namespaceId, script: e.script })
  }
  return [...seen.values()]
}

/** A counter row; PostgreSQL hands its BIGINT columns over as strings. */
export interface CountRow {
  account_id: string
  namespace_id: string
  script: string
  outcome: string
  count: number | string
  last_seen: number | string
}

export const toInvocationCount = (r: CountRow): InvocationCount => ({
  accountId: r.account_id,
  namespaceId: r.namespace_id,
  script: r.script,
  outcome: r.outcome,
  count: Number(r.count),
  lastSeen: Number(r.last_seen),
})

/** One row of namespaceTotals' query: the same in both drivers (BIGINT sums are strings in pg). */
export const NAMESPACE_TOTALS_SQL = `SELECT c.account_id, c.namespace_id, n.name AS namespace_name, c.outcome, SUM(c.count) AS count
  FROM invocation_counts c LEFT JOIN dispatch_namespaces n ON n.id = c.namespace_id
  GROUP BY c.account_id, c.namespace_id, n.name, c.outcome
  ORDER BY c.account_id, c.namespace_id, c.outcome`

export interface NamespaceTotalRow {
  account_id: string
  namespace_id: string
  namespace_name: string | null
  outcome: string
  count: number | string
}

export const toNamespaceTotal = (r: NamespaceTotalRow): NamespaceTotal => ({
  accountId: r.account_id,
  namespaceId: r.namespace_id,
  namespaceName: r.namespace_name,
  outcome: r.outcome,
  count: Number(r.count),
})
