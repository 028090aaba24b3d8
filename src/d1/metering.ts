import type { OperationMeter } from '../shared/usage.js'
import type { D1DatabaseRecord } from '../storage/d1-store.js'
import type { StatementResult } from './engine/protocol.js'

/**
 * Counts statements that ran on a database into the usage records' operations per resource
 * (d1AnalyticsAdaptiveGroups): a statement that changed the database is a write query, any other a
 * read query, each with the rows D1's `meta` says it read and wrote.
 */
export function meterQueries(meter: OperationMeter, db: D1DatabaseRecord, results: StatementResult[]): void {
  const sums = { read: { operations: 0, rowsRead: 0, rowsWritten: 0 }, write: { operations: 0, rowsRead: 0, rowsWritten: 0 } }
  for (const r of results) {
    const s = r.meta.changed_db ? sums.write : sums.read
    s.operations++
    s.rowsRead += r.meta.rows_read
    s.rowsWritten += r.meta.rows_written
  }
  for (const action of ['read', 'write'] as const) {
    if (sums[action].operations > 0) meter.operation({ accountId: db.accountId, product: 'd1', resource: db.id, action, ...sums[action] })
  }
}
