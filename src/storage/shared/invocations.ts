import type { InvocationCount, InvocationEvent, NamespaceTotal, ScriptRef, StoredEvent } from '../store.js'

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

/** The distinct accounts of a batch of events: the ones whose stored events are pruned. */
export const accountsOf = (events: ScriptRef[]): string[] => [...new Set(events.map((e) => e.accountId))]

/** When an event happened (when received, else its eventTimestamp, else when recorded) and its stored size. */
export function stampOf(e: InvocationEvent, json: string, now: number): { ts: number; bytes: number } {
  const at = e.at ?? e.event['eventTimestamp']
  return { ts: typeof at === 'number' && Number.isFinite(at) ? at : now, bytes: Buffer.byteLength(json) }
}

/** A stored event row; PostgreSQL hands BIGINT columns over as strings and JSON already parsed. */
export interface EventRow {
  seq: number | string
  account_id: string
  namespace_id: string
  script: string
  ts: number | string
  event: string | Record<string, unknown>
}

export const toStoredEvent = (r: EventRow): StoredEvent => ({
  seq: Number(r.seq),
  accountId: r.account_id,
  namespaceId: r.namespace_id,
  script: r.script,
  timestamp: Number(r.ts),
  event: typeof r.event === 'string' ? (JSON.parse(r.event) as Record<string, unknown>) : r.event,
})

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
