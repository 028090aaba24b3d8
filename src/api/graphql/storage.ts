import type { StorageProduct, StorageSample } from '../../shared/usage.js'
import { matches, type Dimension, type Filter, type InvocationGroup } from './invocations.js'

/**
 * Cloudflare's storage datasets over the sampled gauges (one sample per resource and minute):
 * a group answers the largest sample in it (`max`), as storage is state and not a sum.
 */
export interface StorageDataset {
  /** The dataset's field on `account`. */
  name: string
  /** Its GraphQL type name (Cloudflare's), for the schema. */
  typeName: string
  product: StorageProduct
  /** The dimension naming the resource (`databaseId`, `bucketName`); none for Durable Objects (per account). */
  resource?: string
  /** The time dimensions it answers. */
  times: ReadonlyArray<'datetime' | 'date'>
  /** Each `max` field from a sample. */
  max: Record<string, (s: StorageSample) => number>
}

export const STORAGE_DATASETS: StorageDataset[] = [
  {
    name: 'd1StorageAdaptiveGroups',
    typeName: 'AccountD1StorageAdaptiveGroups',
    product: 'd1',
    resource: 'databaseId',
    times: ['date'],
    max: { databaseSizeBytes: (s) => s.bytes },
  },
  {
    name: 'r2StorageAdaptiveGroups',
    typeName: 'AccountR2StorageAdaptiveGroups',
    product: 'r2',
    resource: 'bucketName',
    times: ['datetime', 'date'],
    max: { payloadSize: (s) => s.bytes, metadataSize: (s) => s.metadataBytes, objectCount: (s) => s.objects },
  },
  {
    name: 'durableObjectsStorageGroups',
    typeName: 'AccountDurableObjectsStorageGroups',
    product: 'do',
    times: ['date'],
    max: { storedBytes: (s) => s.bytes },
  },
]

export const dimensionsOfStorage = (d: StorageDataset): string[] => [...(d.resource ? [d.resource] : []), ...d.times]

/** A storage group: its dimensions and its `max` figures (the empty sum, quantiles and avg let `order` read it). */
export type StorageGroup = InvocationGroup & { max: Record<string, number> }

/** Groups a dataset's samples by the selected dimensions, keeping the largest of each figure. */
export function aggregateStorage(d: StorageDataset, samples: StorageSample[], filter: Filter | null | undefined, selected: string[]): StorageGroup[] {
  const groups = new Map<string, StorageGroup>()
  for (const s of samples) {
    const at = new Date(s.minute).toISOString()
    const dims: Record<string, string> = { ...(d.resource ? { [d.resource]: s.resource } : {}), datetime: at.replace('.000Z', 'Z'), date: at.slice(0, 10) }
    if (!matches(dims as Record<Dimension, string>, filter)) continue
    const key = JSON.stringify(selected.map((k) => dims[k]))
    let g = groups.get(key)
    if (!g) {
      const picked: Record<string, string> = {}
      for (const k of selected) if (dims[k] !== undefined) picked[k] = dims[k]
      groups.set(key, (g = { dimensions: picked as InvocationGroup['dimensions'], max: {}, sum: {}, quantiles: {}, avg: {} }))
    }
    for (const [field, of] of Object.entries(d.max)) g.max[field] = Math.max(g.max[field] ?? 0, of(s))
  }
  return [...groups.values()]
}
