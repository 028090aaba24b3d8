import type { StoredUsage } from '../../storage/store.js'
import { addCounters, emptyCounters, quantileOf, USAGE_COUNTERS, type Histogram, type UsageCounters, type UsageStatus } from '../../shared/usage.js'
import { addHistogram } from '../../storage/shared/usage.js'

/**
 * `workersInvocationsAdaptive` over stored usage records (per script, minute and outcome): rows
 * are filtered on Cloudflare's dimensions, grouped by the dimensions the query selects, summed,
 * and their quantiles read from the merged histograms. Time dimensions have minute granularity.
 */

/** Cloudflare's invocation statuses (the `status` dimension) for Workerhive's outcomes. */
export const CLOUDFLARE_STATUS: Record<UsageStatus, string> = {
  ok: 'success',
  exception: 'scriptThrewException',
  exceededCpu: 'exceededResources',
  exceededMemory: 'exceededResources',
  exceededWallClock: 'exceededResources',
  refused: 'exceededResources',
  canceled: 'clientDisconnected',
}

export const TIME_DIMENSIONS = ['datetime', 'datetimeMinute', 'datetimeFiveMinutes', 'datetimeFifteenMinutes', 'datetimeHour', 'date'] as const
export const DIMENSIONS = ['scriptName', 'dispatchNamespaceName', 'status', ...TIME_DIMENSIONS] as const
export type Dimension = (typeof DIMENSIONS)[number]

/** The dimension values of one stored record. */
export function dimensionsOf(r: StoredUsage): Record<Dimension, string> {
  return {
    scriptName: r.script,
    dispatchNamespaceName: r.namespaceName ?? '',
    status: CLOUDFLARE_STATUS[r.status] ?? r.status,
    ...timeDimensions(r.minute),
  }
}

/** Cloudflare's time dimensions of a record's minute (every dataset has them). */
export function timeDimensions(minute: number): Record<(typeof TIME_DIMENSIONS)[number], string> {
  const at = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z')
  const floor = (step: number): number => minute - (minute % step)
  return {
    datetime: at(minute),
    datetimeMinute: at(minute),
    datetimeFiveMinutes: at(floor(300_000)),
    datetimeFifteenMinutes: at(floor(900_000)),
    datetimeHour: at(floor(3_600_000)),
    date: new Date(minute).toISOString().slice(0, 10),
  }
}

/** A filter as the query wrote it (Cloudflare's operator suffixes, AND/OR lists). */
export type Filter = Record<string, unknown>

const OPERATORS = ['_geq', '_leq', '_gt', '_lt', '_neq', '_in', '_notin', '_like'] as const

/** Whether a record's dimensions pass a filter. */
export function matches(dims: Record<Dimension, string>, filter: Filter | null | undefined): boolean {
  if (!filter) return true
  for (const [field, want] of Object.entries(filter)) {
    if (want === undefined || want === null) continue
    if (field === 'AND') {
      if (!(want as Filter[]).every((f) => matches(dims, f))) return false
      continue
    }
    if (field === 'OR') {
      const list = want as Filter[]
      if (list.length > 0 && !list.some((f) => matches(dims, f))) return false
      continue
    }
    const op = OPERATORS.find((o) => field.endsWith(o)) ?? ''
    const name = field.slice(0, field.length - op.length) as Dimension
    const have = comparable(name, dims[name])
    if (!test(op, have, want, name)) return false
  }
  return true
}

/** Times compare as milliseconds, everything else as text. */
function comparable(name: Dimension, value: string): string | number {
  return name.startsWith('datetime') || name === 'date' ? Date.parse(value) : value
}

function test(op: string, have: string | number, want: unknown, name: Dimension): boolean {
  const w = (v: unknown): string | number => (typeof have === 'number' ? parseTime(String(v), name) : String(v))
  switch (op) {
    case '':
      return have === w(want)
    case '_neq':
      return have !== w(want)
    case '_in':
      return (want as unknown[]).map(w).includes(have)
    case '_notin':
      return !(want as unknown[]).map(w).includes(have)
    case '_geq':
      return have >= w(want)
    case '_leq':
      return have <= w(want)
    case '_gt':
      return have > w(want)
    case '_lt':
      return have < w(want)
    case '_like': {
      const pattern = new RegExp(`^${String(want).replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/%/g, '.*').replace(/_/g, '.')}$`)
      return pattern.test(String(have))
    }
  }
  return false
}

/** A Time or Date filter value in ms; an invalid one is a query error (thrown as such). */
export function parseTime(value: string, name: string): number {
  const ms = Date.parse(value)
  if (!Number.isFinite(ms)) throw new QueryError(`${name}: '${value}' is not a valid ${name === 'date' ? 'date (YYYY-MM-DD)' : 'time (RFC 3339)'}`)
  return ms
}

/** A mistake in the query (bad value, too wide a range): a GraphQL error, never a 5xx. */
export class QueryError extends Error {}

/**
 * The time range a filter confines the records to (its top level and its AND lists; what an OR
 * says is checked per record but does not narrow what is read). `[from, to]` in ms, inclusive.
 */
export function timeRange(filter: Filter | null | undefined, now: number, defaultSpanMs: number): { from: number; to: number } {
  let from = -Infinity
  let to = Infinity
  const visit = (f: Filter | null | undefined): void => {
    if (!f) return
    for (const [field, value] of Object.entries(f)) {
      if (value === undefined || value === null) continue
      if (field === 'AND') {
        for (const sub of value as Filter[]) visit(sub)
        continue
      }
      const m = /^(datetime|datetimeMinute|datetimeFiveMinutes|datetimeFifteenMinutes|datetimeHour|date)(_geq|_gt|_leq|_lt)?$/.exec(field)
      if (!m) continue
      const ms = parseTime(String(value), m[1]!)
      // A date's day, an hour's hour: the end bounds take the whole unit they name.
      const span = m[1] === 'date' ? 86_400_000 - 1 : 0
      if (m[2] === '_geq' || m[2] === '_gt' || m[2] === undefined) from = Math.max(from, ms)
      if (m[2] === '_leq' || m[2] === '_lt' || m[2] === undefined) to = Math.min(to, ms + span)
    }
  }
  visit(filter)
  if (to === Infinity) to = now
  if (from === -Infinity) from = to - defaultSpanMs
  return { from: from - (from % 60_000), to }
}

/** One group of the answer, shaped as Cloudflare's AccountWorkersInvocationsAdaptive. */
export interface InvocationGroup {
  dimensions: Partial<Record<Dimension, string>>
  sum: Record<string, number>
  quantiles: Record<string, number>
  avg: Record<string, number>
}

const QUANTILES: Array<[string, number]> = [
  ['P25', 0.25],
  ['P50', 0.5],
  ['P75', 0.75],
  ['P90', 0.9],
  ['P99', 0.99],
  ['P999', 0.999],
]

/** Groups the records by the selected dimensions; each group's sums and quantiles. */
export function aggregate(records: StoredUsage[], filter: Filter | null | undefined, selected: Dimension[]): InvocationGroup[] {
  const groups = new Map<string, { dims: Partial<Record<Dimension, string>>; counters: UsageCounters; errors: number; cpu: Histogram; wall: Histogram }>()
  for (const r of records) {
    const dims = dimensionsOf(r)
    if (!matches(dims, filter)) continue
    const picked: Partial<Record<Dimension, string>> = {}
    for (const d of selected) picked[d] = dims[d]
    const key = JSON.stringify(selected.map((d) => dims[d]))
    let g = groups.get(key)
    if (!g) groups.set(key, (g = { dims: picked, counters: emptyCounters(), errors: 0, cpu: {}, wall: {} }))
    addCounters(g.counters, r)
    if (r.status !== 'ok') g.errors += r.requests
    addHistogram(g.cpu, r.cpuHistogram)
    addHistogram(g.wall, r.wallHistogram)
  }
  return [...groups.values()].map((g) => {
    const c = g.counters
    const sum: Record<string, number> = { errors: g.errors, cpuTime: c.cpuTimeUs, cpuTimeUs: c.cpuTimeUs, duration: c.wallTimeUs / 1e6, clientDisconnects: 0 }
    for (const k of USAGE_COUNTERS) sum[k] = c[k]
    sum['wallTime'] = c.wallTimeUs
    sum['responseBodySize'] = c.bytesOut
    const quantiles: Record<string, number> = {}
    for (const [suffix, q] of QUANTILES) {
      quantiles[`cpuTime${suffix}`] = quantileOf(g.cpu, q)
      quantiles[`wallTime${suffix}`] = quantileOf(g.wall, q)
    }
    const avg = { sampleInterval: 1, cpuTime: c.requests > 0 ? c.cpuTimeUs / c.requests : 0, wallTime: c.requests > 0 ? c.wallTimeUs / c.requests : 0 }
    return { dimensions: g.dims, sum, quantiles, avg }
  })
}

/** Sorts groups by `orderBy` entries such as `datetime_ASC`, `sum_requests_DESC`, `quantiles_cpuTimeP50_DESC`. */
export function order<G extends InvocationGroup>(groups: G[], orderBy: string[] | null | undefined): G[] {
  if (!orderBy || orderBy.length === 0) return groups
  const keys = orderBy.map((o) => {
    const desc = o.endsWith('_DESC')
    const path = o.replace(/_(ASC|DESC)$/, '')
    const [head, ...rest] = path.split('_')
    const read =
      rest.length === 0
        ? (g: InvocationGroup) => g.dimensions[head as Dimension] ?? ''
        : (g: InvocationGroup) => (g[head as 'sum' | 'quantiles' | 'avg'] as Record<string, number>)[rest.join('_')] ?? 0
    return { read, desc }
  })
  return [...groups].sort((a, b) => {
    for (const { read, desc } of keys) {
      const x = read(a)
      const y = read(b)
      if (x === y) continue
      return (x < y ? -1 : 1) * (desc ? -1 : 1)
    }
    return 0
  })
}
