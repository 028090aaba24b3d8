import type { StoredUsage, UsageStore } from '../storage/store.js'
import { mergeOperations, mergeUsage } from '../storage/shared/usage.js'
import { emptyCounters, minuteOf, type DrainedUsage, type OperationMeter, type OperationRecord, type UsageCounters, type UsageProduct, type UsageRecord, type UsageStatus } from '../shared/usage.js'
import type { Logger } from '../util/logger.js'
import { scriptRefOf, type ScriptRef } from './events.js'

export interface UsageRecorderOptions {
  /** How often aggregated usage is written; a kill -9 loses at most this much. @default 5000 */
  flushIntervalMs: number
  /** How long records are kept. @default 93 days */
  retentionMs: number
  /** Distinct records buffered past which a write starts before the interval ends. @default 5000 */
  flushRecords: number
}

/**
 * Usage per script, minute and outcome on its way to the store (docs/usage.md). The edge's
 * processes drain their records into `add` with every watchdog probe; Node code records its own
 * with `record(script, { kvReads: 1 })`. Both are summed in memory per script, minute and status
 * and written in one transaction per interval (and on `stop`), so the store sees a row update per
 * active script and minute, not one per request. A write that fails keeps its records for the next.
 */
export class UsageRecorder implements OperationMeter {
  readonly #store: UsageStore
  readonly #log: Logger
  readonly #now: () => number
  readonly #opts: UsageRecorderOptions
  #pending = new Map<string, UsageRecord>()
  /** Operations per resource, minute and action (docs/usage.md), written with the records. */
  #operations = new Map<string, OperationRecord>()
  #writing: Promise<void> = Promise.resolve()
  #timer: ReturnType<typeof setInterval> | undefined
  #sources: Array<() => Array<{ script: ScriptRef; usage: Partial<UsageCounters> }>> = []

  constructor(deps: { store: UsageStore; log: Logger; now?: () => number; options?: Partial<UsageRecorderOptions> }) {
    this.#store = deps.store
    this.#log = deps.log
    this.#now = deps.now ?? Date.now
    this.#opts = { flushIntervalMs: 5000, retentionMs: 93 * 86_400_000, flushRecords: 5000, ...deps.options }
  }

  start(): void {
    this.#timer = setInterval(() => void this.flush(), this.#opts.flushIntervalMs)
    this.#timer.unref()
  }

  /** Stops the timer and writes what is buffered. */
  async stop(): Promise<void> {
    clearInterval(this.#timer)
    await this.flush()
  }

  /** Records drained from an edge process (script keys `account/namespace/script`). */
  add(drained: DrainedUsage[]): void {
    for (const d of drained) {
      const { key, ...rest } = d
      this.#merge({ ...scriptRefOf(key), ...rest })
    }
  }

  /** Usage of a script that Node itself served (an API call on its behalf), counted in this minute. */
  record(script: ScriptRef, delta: Partial<UsageCounters>, status: UsageStatus = 'ok'): void {
    this.#merge({ ...script, minute: minuteOf(this.#now()), status, ...emptyCounters(), ...delta, cpuHistogram: {}, wallHistogram: {} })
  }

  /** Operations on a resource (a D1 database, an R2 bucket, a queue) in this minute. */
  operation(op: Parameters<OperationMeter['operation']>[0]): void {
    this.#addOperation({ rowsRead: 0, rowsWritten: 0, bytes: 0, ...op, minute: minuteOf(this.#now()) })
  }

  #addOperation(r: OperationRecord): void {
    const key = JSON.stringify([r.accountId, r.minute, r.product, r.resource, r.action])
    const seen = this.#operations.get(key)
    this.#operations.set(key, seen ? mergeOperations([seen, r])[0]! : r)
  }

  /** An account's operations on one product's resources (this node's buffer written first). */
  async queryOperations(accountId: string, product: UsageProduct, range: { from: number; to: number }, limit: number): Promise<OperationRecord[]> {
    await this.flush()
    return this.#store.queryOperations(accountId, product, range, limit)
  }

  /**
   * A meter of Node's own (the queue service's): drained into this minute's records before each
   * write, so what it counted is in every read.
   */
  pullFrom(source: () => Array<{ script: ScriptRef; usage: Partial<UsageCounters> }>): void {
    this.#sources.push(source)
  }

  /** Writes what is buffered; resolves once it is in the store (or the write failed and was logged). */
  flush(): Promise<void> {
    this.#writing = this.#writing.then(() => this.#write())
    return this.#writing
  }

  /** An account's stored records (this node's buffer written first). */
  async query(accountId: string, range: { from: number; to: number }, limit: number): Promise<StoredUsage[]> {
    await this.flush()
    return this.#store.query(accountId, range, limit)
  }

  #merge(r: UsageRecord, early = true): void {
    const key = JSON.stringify([r.accountId, r.namespaceId, r.script, r.minute, r.status])
    const seen = this.#pending.get(key)
    this.#pending.set(key, seen ? mergeUsage([seen, r])[0]! : r)
    if (early && this.#pending.size >= this.#opts.flushRecords) void this.flush()
  }

  async #writeOperations(): Promise<void> {
    if (this.#operations.size === 0) return
    const batch = [...this.#operations.values()]
    this.#operations = new Map()
    try {
      await this.#store.addOperations(batch, minuteOf(this.#now() - this.#opts.retentionMs))
    } catch (err) {
      for (const r of batch) this.#addOperation(r)
      this.#log.warn({ err, records: batch.length }, 'could not write usage operations; keeping them for the next write')
    }
  }

  async #write(): Promise<void> {
    for (const source of this.#sources) for (const { script, usage } of source()) this.record(script, usage)
    await this.#writeOperations()
    if (this.#pending.size === 0) return
    const batch = [...this.#pending.values()]
    this.#pending = new Map()
    try {
      await this.#store.add(batch, minuteOf(this.#now() - this.#opts.retentionMs))
    } catch (err) {
      // Usage is what a platform bills on: keep it for the next write rather than drop it.
      for (const r of batch) this.#merge(r, false)
      this.#log.warn({ err, records: batch.length }, 'could not write usage records; keeping them for the next write')
    }
  }
}
