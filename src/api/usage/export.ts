import type { StoredUsage } from '../../storage/store.js'
import { addCounters, emptyCounters, USAGE_STATUSES, type UsageCounters, type UsageStatus } from '../../shared/usage.js'

/**
 * The usage export for billing jobs (Workerhive's own, docs/usage.md): stored records summed per
 * UTC day and per script, or per script tag (a script with several tags counts under each; one
 * without tags under `tag: null`, so an export by tag still adds up to every script's usage).
 */
export type GroupBy = 'script' | 'tag'

export interface ExportRow {
  date: string
  /** group_by=script */
  dispatch_namespace?: string | null
  script?: string
  /** group_by=tag */
  tag?: string | null
  requests: number
  errors: number
  outcomes: Record<UsageStatus, number>
  cpu_time_us: number
  wall_time_us: number
  subrequests: number
  kv_reads: number
  kv_writes: number
  kv_lists: number
  kv_deletes: number
  bytes_in: number
  bytes_out: number
  d1_queries: number
  d1_rows_read: number
  d1_rows_written: number
  r2_class_a: number
  r2_class_b: number
  do_requests: number
  do_wall_time_us: number
  do_rows_read: number
  do_rows_written: number
  queue_writes: number
  queue_reads: number
  queue_deletes: number
}

/** `tagsOf` answers a script's current tags (by namespace id and name). */
export function exportRows(records: StoredUsage[], groupBy: GroupBy, tagsOf: (r: StoredUsage) => string[]): ExportRow[] {
  const groups = new Map<string, { key: Partial<ExportRow>; counters: UsageCounters; outcomes: Record<UsageStatus, number> }>()
  for (const r of records) {
    const date = new Date(r.minute).toISOString().slice(0, 10)
    const keys: Array<Partial<ExportRow>> =
      groupBy === 'script'
        ? [{ date, dispatch_namespace: r.namespaceId === '' ? null : (r.namespaceName ?? r.namespaceId), script: r.script }]
        : (tagsOf(r).length > 0 ? tagsOf(r) : [null]).map((tag) => ({ date, tag }))
    for (const key of keys) {
      const id = JSON.stringify(key)
      let g = groups.get(id)
      if (!g) groups.set(id, (g = { key, counters: emptyCounters(), outcomes: Object.fromEntries(USAGE_STATUSES.map((s) => [s, 0])) as Record<UsageStatus, number> }))
      addCounters(g.counters, r)
      g.outcomes[r.status] += r.requests
    }
  }
  const rows = [...groups.values()].map(({ key, counters: c, outcomes }) => ({
    ...key,
    requests: c.requests,
    errors: c.requests - outcomes.ok,
    outcomes,
    cpu_time_us: c.cpuTimeUs,
    wall_time_us: c.wallTimeUs,
    subrequests: c.subrequests,
    kv_reads: c.kvReads,
    kv_writes: c.kvWrites,
    kv_lists: c.kvLists,
    kv_deletes: c.kvDeletes,
    bytes_in: c.bytesIn,
    bytes_out: c.bytesOut,
    d1_queries: c.d1Queries,
    d1_rows_read: c.d1RowsRead,
    d1_rows_written: c.d1RowsWritten,
    r2_class_a: c.r2ClassA,
    r2_class_b: c.r2ClassB,
    do_requests: c.doRequests,
    do_wall_time_us: c.doWallTimeUs,
    do_rows_read: c.doRowsRead,
    do_rows_written: c.doRowsWritten,
    queue_writes: c.queueWrites,
    queue_reads: c.queueReads,
    queue_deletes: c.queueDeletes,
  })) as ExportRow[]
  const sortKey = (r: ExportRow): string => JSON.stringify([r.date, r.dispatch_namespace ?? '', r.script ?? '', r.tag ?? ''])
  return rows.sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : sortKey(a) > sortKey(b) ? 1 : 0))
}

const STORAGE_COLUMNS = ['d1_queries', 'd1_rows_read', 'd1_rows_written', 'r2_class_a', 'r2_class_b', 'do_requests', 'do_wall_time_us', 'do_rows_read', 'do_rows_written', 'queue_writes', 'queue_reads', 'queue_deletes']
const COUNTER_COLUMNS = ['requests', 'errors', ...USAGE_STATUSES.map((s) => `outcome_${s}`), 'cpu_time_us', 'wall_time_us', 'subrequests', 'kv_reads', 'kv_writes', 'kv_lists', 'kv_deletes', 'bytes_in', 'bytes_out', ...STORAGE_COLUMNS]

/** RFC 4180 CSV with a header line; outcomes become `outcome_<status>` columns. */
export function toCsv(rows: ExportRow[], groupBy: GroupBy): string {
  const head = groupBy === 'script' ? ['date', 'dispatch_namespace', 'script'] : ['date', 'tag']
  const cell = (v: unknown): string => {
    const s = v === null || v === undefined ? '' : String(v)
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
  }
  const lines = [[...head, ...COUNTER_COLUMNS].join(',')]
  for (const r of rows) {
    const flat: Record<string, unknown> = { ...r }
    for (const s of USAGE_STATUSES) flat[`outcome_${s}`] = r.outcomes[s]
    lines.push([...head, ...COUNTER_COLUMNS].map((c) => cell(flat[c])).join(','))
  }
  return lines.join('\r\n') + '\r\n'
}

