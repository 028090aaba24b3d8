import type { StorageSample } from '../shared/usage.js'
import type { UsageStore } from '../storage/store.js'
import type { Logger } from '../util/logger.js'
import { startPeriodicSweep, type PeriodicSweep } from '../util/periodic-sweep.js'

/** How often storage is sampled by default: Cloudflare bills stored bytes by the month, so minutes are plenty. */
export const STORAGE_SAMPLE_MS = 300_000

export interface StorageSamplerDeps {
  store: UsageStore
  /** A D1 database's file size in bytes (what the REST API answers as `file_size`), asked of its owner. */
  d1Size(accountId: string, databaseId: string): Promise<number>
  /**
   * Customer storage bytes per Durable Object namespace held on this node; absent on several
   * nodes, where each node holds only some of the objects (not sampled there yet).
   */
  objectBytes?: () => Promise<Map<string, number>>
  /** Whether this node samples a D1 database (several nodes: the one holding its lease); all when absent. */
  d1Here?: (databaseId: string) => boolean
  now(): number
  retentionMs: number
  log?: Logger
  intervalMs?: number
}

/**
 * Samples how much each D1 database, R2 bucket and account's Durable Objects hold, once at start and then every interval,
 * into the store's storage gauges (docs/usage.md). Storage is state, not a counter: a sample of a
 * minute stands for it, and several nodes sampling the same resource write the same row.
 * `sweep()` samples now (tests) and answers how many resources it measured.
 */
export function startStorageSampler(deps: StorageSamplerDeps): PeriodicSweep {
  const measure = async (): Promise<number> => {
    const now = deps.now()
    const minute = now - (now % 60_000)
    const inventory = await deps.store.storageInventory()
    const samples: StorageSample[] = inventory.r2Buckets.map((b) => ({
      accountId: b.accountId,
      minute,
      product: 'r2',
      resource: b.name,
      bytes: b.bytes,
      metadataBytes: b.metadataBytes,
      objects: b.objects,
    }))
    if (deps.objectBytes) {
      const perNamespace = await deps.objectBytes()
      const perAccount = new Map<string, number>()
      for (const ns of inventory.objectNamespaces) perAccount.set(ns.accountId, (perAccount.get(ns.accountId) ?? 0) + (perNamespace.get(ns.id) ?? 0))
      for (const [accountId, bytes] of perAccount) samples.push({ accountId, minute, product: 'do', resource: '', bytes, metadataBytes: 0, objects: 0 })
    }
    // One database at a time: each size is a call to the engine (or to the owner node).
    for (const db of inventory.d1Databases) {
      if (deps.d1Here && !deps.d1Here(db.id)) continue
      try {
        samples.push({ accountId: db.accountId, minute, product: 'd1', resource: db.id, bytes: await deps.d1Size(db.accountId, db.id), metadataBytes: 0, objects: 0 })
      } catch (err) {
        // A database deleted meanwhile, or an owner unreachable: the others are still worth keeping.
        deps.log?.debug({ err, database: db.id }, 'sampling a D1 database size failed')
      }
    }
    await deps.store.putStorageSamples(samples, minute - deps.retentionMs)
    return samples.length
  }
  // One sample at a time, in order: a later sample of a minute replaces an earlier one, so an
  // older measurement must never be written after a newer one.
  let last: Promise<unknown> = Promise.resolve()
  const sample = (): Promise<number> => {
    const next = last.then(measure, measure)
    last = next.catch(() => undefined)
    return next
  }
  const sweep = startPeriodicSweep(sample, {
    intervalMs: deps.intervalMs ?? STORAGE_SAMPLE_MS,
    ...(deps.log ? { log: deps.log } : {}),
    removed: 'sampled storage',
    failed: 'sampling storage failed',
  })
  void sweep.sweep().catch((err: unknown) => deps.log?.error({ err }, 'sampling storage failed'))
  return sweep
}
