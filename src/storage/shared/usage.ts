import { addCounters, emptyCounters, HISTOGRAM_METRICS, USAGE_COUNTERS, type Histogram, type HistogramMetric, type OperationRecord, type StorageProduct, type StorageSample, type UsageProduct, type UsageRecord, type UsageStatus } from '../../shared/usage.js'
import type { StorageInventory, StoredUsage } from '../store.js'

/** The counter columns, in USAGE_COUNTERS' order. */
export const USAGE_COLUMNS = [
  'requests',
  'cpu_time_us',
  'wall_time_us',
  'subrequests',
  'kv_reads',
  'kv_writes',
  'kv_lists',
  'kv_deletes',
  'bytes_in',
  'bytes_out',
  'd1_queries',
  'd1_rows_read',
  'd1_rows_written',
  'r2_class_a',
  'r2_class_b',
  'do_requests',
  'do_wall_time_us',
  'do_rows_read',
  'do_rows_written',
  'queue_writes',
  'queue_reads',
  'queue_deletes',
] as const

const keyOf = (r: { accountId: string; namespaceId: string; script: string; minute: number; status: string }): string =>
  JSON.stringify([r.accountId, r.namespaceId, r.script, r.minute, r.status])

/** One record per script, minute and status (a batch may carry a pair twice: two processes); counters rounded to integers. */
export function mergeUsage(records: UsageRecord[]): UsageRecord[] {
  const merged = new Map<string, UsageRecord>()
  for (const r of records) {
    const key = keyOf(r)
    let m = merged.get(key)
    if (!m) merged.set(key, (m = { ...r, ...emptyCounters(), cpuHistogram: {}, wallHistogram: {} }))
    addCounters(m, r)
    addHistogram(m.cpuHistogram, r.cpuHistogram)
    addHistogram(m.wallHistogram, r.wallHistogram)
  }
  // In key order: two nodes upserting the same rows take their locks in the same order (no deadlock).
  const out = [...merged.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, r]) => r)
  for (const r of out) for (const k of USAGE_COUNTERS) r[k] = Math.round(r[k])
  return out
}

export function addHistogram(into: Histogram, h: Histogram): void {
  for (const [b, n] of Object.entries(h)) into[Number(b)] = (into[Number(b)] ?? 0) + n
}

/** The counter values of a record, in USAGE_COLUMNS' order. */
export const counterValues = (r: UsageRecord): number[] => USAGE_COUNTERS.map((k) => r[k])

/** The histogram rows of records: one per script, minute, status, metric and bucket. */
export function histogramRows(records: UsageRecord[]): HistogramRow[] {
  const rows: HistogramRow[] = []
  for (const r of records) {
    for (const metric of HISTOGRAM_METRICS) {
      const h = metric === 'cpu' ? r.cpuHistogram : r.wallHistogram
      for (const [bucket, count] of Object.entries(h)) {
        if (count > 0) rows.push({ account_id: r.accountId, namespace_id: r.namespaceId, script: r.script, minute: r.minute, status: r.status, metric, bucket: Number(bucket), count })
      }
    }
  }
  return rows
}

/** A usage_minutes row (with the namespace's name); PostgreSQL hands BIGINT columns over as strings. */
export type UsageRow = {
  account_id: string
  namespace_id: string
  namespace_name: string | null
  script: string
  minute: number | string
  status: string
} & Record<(typeof USAGE_COLUMNS)[number], number | string>

export interface HistogramRow {
  account_id: string
  namespace_id: string
  script: string
  minute: number | string
  status: string
  metric: string
  bucket: number | string
  count: number | string
}

/** Stored records from their rows, each with its histograms. */
export function toStoredUsage(rows: UsageRow[], buckets: HistogramRow[]): StoredUsage[] {
  const byKey = new Map<string, StoredUsage>()
  const out = rows.map((r) => {
    const u: StoredUsage = {
      accountId: r.account_id,
      namespaceId: r.namespace_id,
      namespaceName: r.namespace_name,
      script: r.script,
      minute: Number(r.minute),
      status: r.status as UsageStatus,
      ...emptyCounters(),
      cpuHistogram: {},
      wallHistogram: {},
    }
    USAGE_COUNTERS.forEach((k, i) => (u[k] = Number(r[USAGE_COLUMNS[i]!])))
    byKey.set(keyOf(u), u)
    return u
  })
  for (const b of buckets) {
    const u = byKey.get(keyOf({ accountId: b.account_id, namespaceId: b.namespace_id, script: b.script, minute: Number(b.minute), status: b.status }))
    if (!u) continue
    const h = (b.metric as HistogramMetric) === 'cpu' ? u.cpuHistogram : u.wallHistogram
    h[Number(b.bucket)] = Number(b.count)
  }
  return out
}

/** The query both drivers run for an account's records (placeholders are the driver's). */
export const usageQuerySql = (p: (n: number) => string): string =>
  `SELECT u.*, n.name AS namespace_name FROM usage_minutes u LEFT JOIN dispatch_namespaces n ON n.id = u.namespace_id
   WHERE u.account_id = ${p(1)} AND u.minute >= ${p(2)} AND u.minute <= ${p(3)}
   ORDER BY u.minute, u.namespace_id, u.script, u.status LIMIT ${p(4)}`

export const histogramQuerySql = (p: (n: number) => string): string =>
  `SELECT account_id, namespace_id, script, minute, status, metric, bucket, count FROM usage_histograms
   WHERE account_id = ${p(1)} AND minute >= ${p(2)} AND minute <= ${p(3)}`

/** One row per account, minute, product, resource and action (a batch may carry one twice), in key order. */
export function mergeOperations(records: OperationRecord[]): OperationRecord[] {
  const merged = new Map<string, OperationRecord>()
  for (const r of records) {
    const key = JSON.stringify([r.accountId, r.minute, r.product, r.resource, r.action])
    const m = merged.get(key)
    if (!m) merged.set(key, { ...r })
    else {
      m.operations += r.operations
      m.rowsRead += r.rowsRead
      m.rowsWritten += r.rowsWritten
      m.bytes += r.bytes
    }
  }
  // Key order: two nodes upserting the same rows lock them in the same order.
  return [...merged.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, r]) => r)
}

export interface OperationRow {
  account_id: string
  minute: number | string
  product: string
  resource: string
  action: string
  operations: number | string
  rows_read: number | string
  rows_written: number | string
  bytes: number | string
}

export const toOperationRecord = (r: OperationRow): OperationRecord => ({
  accountId: r.account_id,
  minute: Number(r.minute),
  product: r.product as UsageProduct,
  resource: r.resource,
  action: r.action,
  operations: Number(r.operations),
  rowsRead: Number(r.rows_read),
  rowsWritten: Number(r.rows_written),
  bytes: Number(r.bytes),
})

export const operationsQuerySql = (p: (n: number) => string): string =>
  `SELECT account_id, minute, product, resource, action, operations, rows_read, rows_written, bytes FROM usage_operations
   WHERE account_id = ${p(1)} AND product = ${p(2)} AND minute >= ${p(3)} AND minute <= ${p(4)}
   ORDER BY minute, resource, action LIMIT ${p(5)}`

export interface StorageRow {
  account_id: string
  minute: number | string
  product: string
  resource: string
  bytes: number | string
  metadata_bytes: number | string
  objects: number | string
}

export const toStorageSample = (r: StorageRow): StorageSample => ({
  accountId: r.account_id,
  minute: Number(r.minute),
  product: r.product as StorageProduct,
  resource: r.resource,
  bytes: Number(r.bytes),
  metadataBytes: Number(r.metadata_bytes),
  objects: Number(r.objects),
})

/** Upsert of one sample: the latest of a minute replaces an earlier one (placeholders are the driver's). */
export const storageUpsertSql = (p: (n: number) => string): string =>
  `INSERT INTO usage_storage (account_id, minute, product, resource, bytes, metadata_bytes, objects)
   VALUES (${p(1)}, ${p(2)}, ${p(3)}, ${p(4)}, ${p(5)}, ${p(6)}, ${p(7)})
   ON CONFLICT (account_id, minute, product, resource) DO UPDATE SET
     bytes = excluded.bytes, metadata_bytes = excluded.metadata_bytes, objects = excluded.objects`

export const storageQuerySql = (p: (n: number) => string): string =>
  `SELECT account_id, minute, product, resource, bytes, metadata_bytes, objects FROM usage_storage
   WHERE account_id = ${p(1)} AND product = ${p(2)} AND minute >= ${p(3)} AND minute <= ${p(4)}
   ORDER BY minute, resource LIMIT ${p(5)}`

/** Every D1 database (the sampler asks each one's size). */
export const d1InventorySql = 'SELECT account_id, id FROM d1_databases ORDER BY account_id, id'

/**
 * Every R2 bucket with its objects' count, payload bytes and metadata bytes (the key and both
 * metadata maps as stored), in one pass over the objects' metadata.
 */
export const r2InventorySql = `SELECT b.account_id, b.name, COUNT(o.key) AS objects, COALESCE(SUM(o.size), 0) AS bytes,
   COALESCE(SUM(LENGTH(o.key) + LENGTH(CAST(o.http_metadata AS TEXT)) + LENGTH(CAST(o.custom_metadata AS TEXT))), 0) AS metadata_bytes
   FROM r2_buckets b LEFT JOIN r2_objects o ON o.bucket_id = b.id
   GROUP BY b.account_id, b.name ORDER BY b.account_id, b.name`

/** Every Durable Object namespace with the account of its script. */
export const objectNamespacesSql = 'SELECT s.account_id, n.id FROM durable_object_namespaces n JOIN scripts s ON s.id = n.script_id ORDER BY s.account_id, n.id'

export interface InventoryRows {
  d1: Array<{ account_id: string; id: string }>
  objects: Array<{ account_id: string; id: string }>
  r2: Array<{ account_id: string; name: string; objects: number | string; bytes: number | string; metadata_bytes: number | string }>
}

export const toInventory = (rows: InventoryRows): StorageInventory => ({
  d1Databases: rows.d1.map((r) => ({ accountId: r.account_id, id: r.id })),
  objectNamespaces: rows.objects.map((r) => ({ accountId: r.account_id, id: r.id })),
  r2Buckets: rows.r2.map((r) => ({ accountId: r.account_id, name: r.name, objects: Number(r.objects), bytes: Number(r.bytes), metadataBytes: Number(r.metadata_bytes) })),
})
