import type { OperationRecord, UsageProduct } from '../../shared/usage.js'
import { matches, TIME_DIMENSIONS, timeDimensions, type Dimension, type Filter, type InvocationGroup } from './invocations.js'

/**
 * Cloudflare's per-resource datasets over the usage records' operations (per resource, minute and
 * action): D1 queries per database, R2 operations per bucket, queue message operations per queue.
 * Time dimensions have minute granularity, as in workersInvocationsAdaptive.
 */
export interface OperationsDataset {
  /** The dataset's field on `account`. */
  name: string
  /** Its GraphQL type name (Cloudflare's), for the schema. */
  typeName: string
  product: UsageProduct
  /** The dimension naming the resource (`databaseId`, `bucketName`, `queueId`). */
  resource: string
  /** Whether the action is a dimension (`actionType`) or only splits the sums (D1's read/write queries). */
  actionDimension: boolean
  /** Each sum field from a group's operations. */
  sums: Record<string, (r: OperationRecord) => number>
}

export const OPERATIONS_DATASETS: OperationsDataset[] = [
  {
    name: 'd1AnalyticsAdaptiveGroups',
    typeName: 'AccountD1AnalyticsAdaptiveGroups',
    product: 'd1',
    resource: 'databaseId',
    actionDimension: false,
    sums: {
      readQueries: (r) => (r.action === 'read' ? r.operations : 0),
      writeQueries: (r) => (r.action === 'write' ? r.operations : 0),
      rowsRead: (r) => r.rowsRead,
      rowsWritten: (r) => r.rowsWritten,
    },
  },
  {
    name: 'r2OperationsAdaptiveGroups',
    typeName: 'AccountR2OperationsAdaptiveGroups',
    product: 'r2',
    resource: 'bucketName',
    actionDimension: true,
    sums: { requests: (r) => r.operations },
  },
  {
    name: 'queueMessageOperationsAdaptiveGroups',
    typeName: 'AccountQueueMessageOperationsAdaptiveGroups',
    product: 'queue',
    resource: 'queueId',
    actionDimension: true,
    sums: { billableOperations: (r) => r.operations },
  },
]

/** The dimensions a dataset answers. */
export const dimensionsOfDataset = (d: OperationsDataset): string[] => [d.resource, ...(d.actionDimension ? ['actionType'] : []), ...TIME_DIMENSIONS]

function dimensionsOf(d: OperationsDataset, r: OperationRecord): Record<string, string> {
  return {
    [d.resource]: r.resource,
    ...(d.actionDimension ? { actionType: r.action } : {}),
    ...timeDimensions(r.minute),
  }
}

/** Groups a dataset's records by the selected dimensions and sums them. */
export function aggregateOperations(d: OperationsDataset, records: OperationRecord[], filter: Filter | null | undefined, selected: string[]): InvocationGroup[] {
  const groups = new Map<string, { dimensions: Record<string, string>; sum: Record<string, number> }>()
  for (const r of records) {
    const dims = dimensionsOf(d, r)
    // The filter helpers read any dimension by name: these datasets' names are their own.
    if (!matches(dims as Record<Dimension, string>, filter)) continue
    const key = JSON.stringify(selected.map((s) => dims[s]))
    let g = groups.get(key)
    if (!g) {
      const picked: Record<string, string> = {}
      for (const s of selected) if (dims[s] !== undefined) picked[s] = dims[s]
      groups.set(key, (g = { dimensions: picked, sum: Object.fromEntries(Object.keys(d.sums).map((k) => [k, 0])) }))
    }
    for (const [field, of] of Object.entries(d.sums)) g.sum[field] = (g.sum[field] ?? 0) + of(r)
  }
  return [...groups.values()].map((g) => ({ dimensions: g.dimensions as InvocationGroup['dimensions'], sum: g.sum, quantiles: {}, avg: {} }))
}
