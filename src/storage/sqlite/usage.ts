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

export function sqliteUsage(db: Db): UsageStore {
  const s = {
    add: db.prepare(
      `INSERT INTO usage_minutes (account_id, namespace_id, script, minute, status, ${USAGE_COLUMNS.join(', ')})
       VALUES (?, ?, ?, ?, ?, ${USAGE_COLUMNS.map(() => '?').join(', ')})
       ON CONFLICT (account_id, minute, namespace_id, script, status) DO UPDATE SET
         ${USAGE_COLUMNS.map((c) => `${c} = ${c} + excluded.${c}`).join(', ')}`,
    ),
    addBucket: db.prepare(
      `INSERT INTO usage_histograms (account_id, namespace_id, script, minute, status, metric, bucket, count)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (account_id, minute, namespace_id, script, status, metric, bucket) DO UPDATE SET count = count + excluded.count`,
    ),
    prune: db.prepare<[number]>('DELETE FROM usage_minutes WHERE minute < ?'),
    pruneBuckets: db.prepare<[number]>('DELETE FROM usage_histograms WHERE minute < ?'),
    query: db.prepare<[string, number, number, number], UsageRow>(usageQuerySql(() => '?')),
    buckets: db.prepare<[string, number, number], HistogramRow>(histogramQuerySql(() => '?')),
    addOperation: db.prepare(
      `INSERT INTO usage_operations (account_id, minute, product, resource, action, operations, rows_read, rows_written, bytes)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (account_id, minute, product, resource, action) DO UPDATE SET
         operations = operations + excluded.operations, rows_read = rows_read + excluded.rows_read,
         rows_written = rows_written + excluded.rows_written, bytes = bytes + excluded.bytes`,
    ),
    pruneOperations: db.prepare<[number]>('DELETE FROM usage_operations WHERE minute < ?'),
    operations: db.prepare<[string, string, number, number, number], OperationRow>(operationsQuerySql(() => '?')),
    putStorage: db.prepare(storageUpsertSql(() => '?')),
    pruneStorage: db.prepare<[number]>('DELETE FROM usage_storage WHERE minute < ?'),
    storage: db.prepare<[string, string, number, number, number], StorageRow>(storageQuerySql(() => '?')),
    d1Inventory: db.prepare<[], InventoryRows['d1'][number]>(d1InventorySql),
    r2Inventory: db.prepare<[], InventoryRows['r2'][number]>(r2InventorySql),
    objectNamespaces: db.prepare<[], InventoryRows['objects'][number]>(objectNamespacesSql),
  }
  const putStorageSamples = db.transaction((samples: Parameters<UsageStore['putStorageSamples']>[0], pruneBefore: number) => {
    for (const r of samples) s.putStorage.run(r.accountId, r.minute, r.product, r.resource, r.bytes, r.metadataBytes, r.objects)
    s.pruneStorage.run(pruneBefore)
  })
  const addOperations = db.transaction((records: Parameters<UsageStore['addOperations']>[0], pruneBefore: number) => {
    for (const r of mergeOperations(records)) s.addOperation.run(r.accountId, r.minute, r.product, r.resource, r.action, r.operations, r.rowsRead, r.rowsWritten, r.bytes)
    s.pruneOperations.run(pruneBefore)
  })
  const add = db.transaction((records: Parameters<UsageStore['add']>[0], pruneBefore: number) => {
    const merged = mergeUsage(records)
    for (const r of merged) s.add.run(r.accountId, r.namespaceId, r.script, r.minute, r.status, ...counterValues(r))
    for (const b of histogramRows(merged)) s.addBucket.run(b.account_id, b.namespace_id, b.script, b.minute, b.status, b.metric, b.bucket, b.count)
    s.prune.run(pruneBefore)
    s.pruneBuckets.run(pruneBefore)
  })
  return {
    async add(records, pruneBefore) {
      add(records, pruneBefore)
    },
    async query(accountId, { from, to }, limit) {
      const rows = s.query.all(accountId, from, to, limit)
      // A truncated answer is refused by the caller: its histograms are not worth reading.
      const buckets = rows.length < limit ? s.buckets.all(accountId, from, to) : []
      return toStoredUsage(rows, buckets)
    },
    async addOperations(records, pruneBefore) {
      addOperations(records, pruneBefore)
    },
    async queryOperations(accountId, product, { from, to }, limit) {
      return s.operations.all(accountId, product, from, to, limit).map(toOperationRecord)
    },
    async storageInventory() {
      return toInventory({ d1: s.d1Inventory.all(), r2: s.r2Inventory.all(), objects: s.objectNamespaces.all() })
    },
    async putStorageSamples(samples, pruneBefore) {
      putStorageSamples(samples, pruneBefore)
    },
    async queryStorage(accountId, product, { from, to }, limit) {
      return s.storage.all(accountId, product, from, to, limit).map(toStorageSample)
    },
  }
}
