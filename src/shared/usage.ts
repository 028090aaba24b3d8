// Usage metering: what the host counts per script, minute and outcome, and how Node stores it.
// Compiled in both worlds (no Node imports).

/**
 * How an invocation ended. `refused`: containment turned it away (banned script) before it ran.
 * `canceled` is reserved for a client that went away first; workerd does not tell the host so
 * today, so it stays 0 (docs/usage.md).
 */
export const USAGE_STATUSES = ['ok', 'exception', 'exceededCpu', 'exceededMemory', 'exceededWallClock', 'canceled', 'refused'] as const
export type UsageStatus = (typeof USAGE_STATUSES)[number]

/** The additive counters of one usage record. Times are microseconds, sizes bytes. */
export interface UsageCounters {
  requests: number
  cpuTimeUs: number
  wallTimeUs: number
  subrequests: number
  kvReads: number
  kvWrites: number
  kvLists: number
  kvDeletes: number
  bytesIn: number
  bytesOut: number
  /** D1 statements run through the binding, and the rows they read and wrote (D1's `meta`). */
  d1Queries: number
  d1RowsRead: number
  d1RowsWritten: number
  /** R2 binding operations by Cloudflare's billing class (deletes and aborts are free: neither). */
  r2ClassA: number
  r2ClassB: number
  /** Requests to this script's Durable Objects (fetch, RPC calls, alarms) and their wall time in µs. */
  doRequests: number
  doWallTimeUs: number
  /** Rows their storage read and wrote, as Cloudflare bills SQLite-backed objects (SQL cursors; a KV key is a row). */
  doRowsRead: number
  doRowsWritten: number
  /** Queue message operations as Cloudflare bills them: a send is a write, a delivery a read, an ack a delete. */
  queueWrites: number
  queueReads: number
  queueDeletes: number
}

export const USAGE_COUNTERS = [
  'requests',
  'cpuTimeUs',
  'wallTimeUs',
  'subrequests',
  'kvReads',
  'kvWrites',
  'kvLists',
  'kvDeletes',
  'bytesIn',
  'bytesOut',
  'd1Queries',
  'd1RowsRead',
  'd1RowsWritten',
  'r2ClassA',
  'r2ClassB',
  'doRequests',
  'doWallTimeUs',
  'doRowsRead',
  'doRowsWritten',
  'queueWrites',
  'queueReads',
  'queueDeletes',
] as const satisfies ReadonlyArray<keyof UsageCounters>

// A literal, not a loop: the host makes one per new record.
export const emptyCounters = (): UsageCounters => ({
  requests: 0,
  cpuTimeUs: 0,
  wallTimeUs: 0,
  subrequests: 0,
  kvReads: 0,
  kvWrites: 0,
  kvLists: 0,
  kvDeletes: 0,
  bytesIn: 0,
  bytesOut: 0,
  d1Queries: 0,
  d1RowsRead: 0,
  d1RowsWritten: 0,
  r2ClassA: 0,
  r2ClassB: 0,
  doRequests: 0,
  doWallTimeUs: 0,
  doRowsRead: 0,
  doRowsWritten: 0,
  queueWrites: 0,
  queueReads: 0,
  queueDeletes: 0,
})

/** Adds `delta` into `into` (missing fields count 0). */
export function addCounters(into: UsageCounters, delta: Partial<UsageCounters>): void {
  for (const k of USAGE_COUNTERS) {
    const v = delta[k]
    if (v !== undefined) into[k] += v
  }
}

/** Which per-invocation samples are kept as histograms (for the quantiles). */
export const HISTOGRAM_METRICS = ['cpu', 'wall'] as const
export type HistogramMetric = (typeof HISTOGRAM_METRICS)[number]

/** Bucket → number of invocations whose sample fell in it. */
export type Histogram = Record<number, number>

/**
 * Fixed log-scale buckets, four per power of two: bucket 0 holds samples under 1 µs, bucket b ≥ 1
 * holds [2^((b-1)/4), 2^(b/4)) µs. A quantile read back as a bucket's geometric middle is within
 * 2^(1/8) - 1 ≈ 9.1 % of the sample it stands for. 1000 s is bucket 120: bounded whatever runs.
 */
export const BUCKETS_PER_OCTAVE = 4
export const MAX_BUCKET = 160

export function bucketOf(us: number): number {
  if (!(us >= 1)) return 0
  return Math.min(MAX_BUCKET, Math.floor(BUCKETS_PER_OCTAVE * Math.log2(us)) + 1)
}

/** The value a bucket stands for: its geometric middle (0 for bucket 0). */
export const bucketValue = (bucket: number): number => (bucket <= 0 ? 0 : 2 ** ((bucket - 0.5) / BUCKETS_PER_OCTAVE))

export function addSample(h: Histogram, us: number): void {
  const b = bucketOf(us)
  h[b] = (h[b] ?? 0) + 1
}

/** The q-quantile (0..1) of the samples a histogram holds, in µs; 0 when it is empty. */
export function quantileOf(h: Histogram, q: number): number {
  const buckets = Object.keys(h).map(Number).sort((a, b) => a - b)
  const total = buckets.reduce((n, b) => n + (h[b] ?? 0), 0)
  if (total === 0) return 0
  const rank = Math.max(1, Math.ceil(q * total))
  let seen = 0
  for (const b of buckets) {
    seen += h[b] ?? 0
    if (seen >= rank) return bucketValue(b)
  }
  return bucketValue(buckets[buckets.length - 1]!)
}

/** One script's usage in one minute with one outcome, as the host drains it and Node stores it. */
export interface UsageRecord extends UsageCounters {
  accountId: string
  /** '' for account-level scripts. */
  namespaceId: string
  script: string
  /** Start of the minute, ms since the epoch. */
  minute: number
  status: UsageStatus
  cpuHistogram: Histogram
  wallHistogram: Histogram
}

/** A usage record as the host drains it: keyed by the script key (`account/namespace/script`). */
export interface DrainedUsage extends UsageCounters {
  key: string
  minute: number
  status: UsageStatus
  cpuHistogram: Histogram
  wallHistogram: Histogram
}

/** The named entrypoint of a metered Worker through which the host collects its isolate's CPU time. */
export const CPU_REPORT_ENTRYPOINT = '__WorkerhiveCpuReport'

/** CPU time of finished invocations of one outcome, as an isolate's meter reports it (µs). */
export interface CpuBatch {
  n: number
  sumUs: number
  histogram: Histogram
}

/** What an isolate's meter answers a collection with: a batch per outcome (the customer's handler resolved or threw). */
export type CpuReport = Partial<Record<'ok' | 'exception', CpuBatch>>

export const minuteOf = (ms: number): number => ms - (ms % 60_000)

/**
 * What a process hands over with a health probe: counters and usage drained since the previous
 * batch, numbered. The process keeps each batch until a later probe acknowledges its number
 * (`?ack=`), so a probe whose answer Node gave up on (a busy thread answers late) loses nothing;
 * Node takes each number once.
 */
export interface DrainBatch {
  seq: number
  counts: Record<string, Record<string, number>>
  usage: DrainedUsage[]
}

/** Products whose operations are also kept per resource (a D1 database, an R2 bucket, a queue). */
export type UsageProduct = 'd1' | 'r2' | 'queue'

/**
 * The operations of one kind on one resource in one minute, whoever made them: what Cloudflare's
 * per-resource analytics (d1AnalyticsAdaptiveGroups, r2OperationsAdaptiveGroups,
 * queueMessageOperationsAdaptiveGroups) answer from. `action` is the dataset's own: `read`/`write`
 * queries for D1, R2's operation names (`PutObject`, `GetObject`, …), `WriteMessage`,
 * `ReadMessage`, `DeleteMessage` for queues.
 */
export interface OperationRecord {
  accountId: string
  minute: number
  product: UsageProduct
  /** The database id, the bucket name, the queue id. */
  resource: string
  action: string
  operations: number
  rowsRead: number
  rowsWritten: number
  bytes: number
}

/** Where Node code reports operations on a resource (the UsageRecorder). */
export interface OperationMeter {
  operation(op: Omit<OperationRecord, 'minute' | 'rowsRead' | 'rowsWritten' | 'bytes'> & Partial<Pick<OperationRecord, 'rowsRead' | 'rowsWritten' | 'bytes'>>): void
}

/** What storage is sampled of: D1 databases, R2 buckets, Durable Objects (one figure per account). */
export type StorageProduct = 'd1' | 'r2' | 'do'

/**
 * How much one resource held when a node sampled it (a gauge, not a counter): the latest sample
 * of a minute stands for it. D1: the database file's bytes; R2: the objects' payload and metadata
 * bytes and their number.
 */
export interface StorageSample {
  accountId: string
  minute: number
  product: StorageProduct
  /** The database id, the bucket name; '' for Durable Objects (the account's total). */
  resource: string
  bytes: number
  metadataBytes: number
  objects: number
}
