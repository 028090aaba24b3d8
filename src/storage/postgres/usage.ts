import type { UsageStore } from '../store.js'
import {
  counterValues,
  histogramQuerySql,
  histogramRows,
  mergeOperations,
  mergeUsage,
  operationsQuerySql,
  toOperationRecord,
  toStoredUsage,
  USAGE_COLUMNS,
  usageQuerySql,
  type HistogramRow,
  type OperationRow,
  type UsageRow,
  d1InventorySql,
  objectNamespacesSql,
  r2InventorySql,
  storageQuerySql,
  storageUpsertSql,
  toInventory,
  toStorageSample,
  type InventoryRows,
  type StorageRow,
} from '../shared/usage.js'
import type { Db } from './database.js'

const KEY = ['account_id', 'namespace_id', 'script', 'minute', 'status'] as const

export function postgresUsage(db: Db): UsageStore {
  return {
    async add(records, pruneBefore) {
      const merged = mergeUsage(records)
      await db.tx(async (sql) => {
        if (merged.length > 0) {
          const values = merged.map((r) => counterValues(r))
          await sql.run(
            `INSERT INTO usage_minutes (${[...KEY, ...USAGE_COLUMNS].join(', ')})
             SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[], ${USAGE_COLUMNS.map((_, i) => `$${i + 6}::bigint[]`).join(', ')})
             ON CONFLICT (account_id, minute, namespace_id, script, status) DO UPDATE SET
               ${USAGE_COLUMNS.map((c) => `${c} = usage_minutes.${c} + excluded.${c}`).join(', ')}`,
            [
              merged.map((r) => r.accountId),
              merged.map((r) => r.namespaceId),
              merged.map((r) => r.script),
              merged.map((r) => r.minute),
              merged.map((r) => r.status),
              ...USAGE_COLUMNS.map((_, i) => values.map((v) => v[i])),
            ],
          )
          const buckets = histogramRows(merged)
          if (buckets.length > 0) {
            await sql.run(
              `INSERT INTO usage_histograms (account_id, namespace_id, script, minute, status, metric, bucket, count)
               SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::text[], $7::int[], $8::bigint[])
               ON CONFLICT (account_id, minute, namespace_id, script, status, metric, bucket) DO UPDATE SET count = usage_histograms.count + excluded.count`,
              [
                buckets.map((b) => b.account_id),
                buckets.map((b) => b.namespace_id),
                buckets.map((b) => b.script),
                buckets.map((b) => b.minute),
                buckets.map((b) => b.status),
                buckets.map((b) => b.metric),
                buckets.map((b) => b.bucket),
                buckets.map((b) => b.count),
              ],
            )
          }
        }
        await sql.run('DELETE FROM usage_minutes WHERE minute < $1', [pruneBefore])
        await sql.run('DELETE FROM usage_histograms WHERE minute < $1', [pruneBefore])
      })
    },
    async query(accountId, { from, to }, limit) {
      const rows = await db.rows<UsageRow & Record<string, unknown>>(usageQuerySql((n) => `$${n}`), [accountId, from, to, limit])
      const buckets = rows.length < limit ? await db.rows<HistogramRow & Record<string, unknown>>(histogramQuerySql((n) => `$${n}`), [accountId, from, to]) : []
      return toStoredUsage(rows, buckets)
    },
    async addOperations(records, pruneBefore) {
      const merged = mergeOperations(records)
      await db.tx(async (sql) => {
        if (merged.length > 0) {
          await sql.run(
            `INSERT INTO usage_operations (account_id, minute, product, resource, action, operations, rows_read, rows_written, bytes)
             SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::bigint[], $8::bigint[], $9::bigint[])
             ON CONFLICT (account_id, minute, product, resource, action) DO UPDATE SET
               operations = usage_operations.operations + excluded.operations, rows_read = usage_operations.rows_read + excluded.rows_read,
               rows_written = usage_operations.rows_written + excluded.rows_written, bytes = usage_operations.bytes + excluded.bytes`,
            [
              merged.map((r) => r.accountId),
              merged.map((r) => r.minute),
              merged.map((r) => r.product),
              merged.map((r) => r.resource),
              merged.map((r) => r.action),
              merged.map((r) => r.operations),
              merged.map((r) => r.rowsRead),
              merged.map((r) => r.rowsWritten),
              merged.map((r) => r.bytes),
            ],
          )
        }
        await sql.run('DELETE FROM usage_operations WHERE minute < $1', [pruneBefore])
      })
    },
    async queryOperations(accountId, product, { from, to }, limit) {
      const rows = await db.rows<OperationRow & Record<string, unknown>>(operationsQuerySql((n) => `$${n}`), [accountId, product, from, to, limit])
      return rows.map(toOperationRecord)
    },
    async storageInventory() {
      const d1 = await db.rows<InventoryRows['d1'][number] & Record<string, unknown>>(d1InventorySql, [])
      const r2 = await db.rows<InventoryRows['r2'][number] & Record<string, unknown>>(r2InventorySql, [])
      const objects = await db.rows<InventoryRows['objects'][number] & Record<string, unknown>>(objectNamespacesSql, [])
      return toInventory({ d1, r2, objects })
    },
    async putStorageSamples(samples, pruneBefore) {
      // In key order: two nodes sampling the same resources lock their rows in the same order.
      const sorted = [...samples].sort((a, b) => (a.accountId + a.product + a.resource < b.accountId + b.product + b.resource ? -1 : 1))
      await db.tx(async (sql) => {
        for (const r of sorted) await sql.run(storageUpsertSql((n) => `$${n}`), [r.accountId, r.minute, r.product, r.resource, r.bytes, r.metadataBytes, r.objects])
        await sql.run('DELETE FROM usage_storage WHERE minute < $1', [pruneBefore])
      })
    },
    async queryStorage(accountId, product, { from, to }, limit) {
      const rows = await db.rows<StorageRow & Record<string, unknown>>(storageQuerySql((n) => `$${n}`), [accountId, product, from, to, limit])
      return rows.map(toStorageSample)
    },
  }
}
