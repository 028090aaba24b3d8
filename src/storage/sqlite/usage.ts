import type { UsageStore } from '../store.js'
import { counterValues, histogramQuerySql, histogramRows, mergeUsage, toStoredUsage, USAGE_COLUMNS, usageQuerySql, type HistogramRow, type UsageRow } from '../shared/usage.js'
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
  }
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
  }
}
