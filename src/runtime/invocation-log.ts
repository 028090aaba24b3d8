import type { EventQuery, InvocationCount, InvocationEvent, InvocationStore, NamespaceTotal, StoredEvent } from '../storage/store.js'
import type { Logger } from '../util/logger.js'
import { scriptKeyOf, scriptRefOf, type ScriptRef, type TraceEvent } from './events.js'

export interface ScriptMetrics {
  invocations: number
  exceptions: number
  outcomes: Record<string, number>
  lastSeen: number | null
}

export interface InvocationLogOptions {
  /** How often buffered events and counts are written. @default 1000 */
  flushIntervalMs: number
  /** Buffered events that trigger a write before the interval ends. @default 500 */
  flushEvents: number
  /** Events `recent` returns per script (`workerhive logs` without a time range). @default 200 */
  keepPerScript: number
  /** How long an account's events are kept. @default 7 days */
  retentionMs: number
  /** Bytes of stored events per account; the oldest are pruned first past it. @default 100 MB */
  retentionBytes: number
  /** Buffered events past which the oldest are dropped (the store is down or slow). @default 10000 */
  maxBufferedEvents: number
}

/**
 * Per-script invocation counters and recent trace events, kept in the store so a restart or
 * another node sees them. They arrive on the hot path (every traced invocation, every probe), so
 * they are buffered and written in one transaction per second (or per `flushEvents` events): a
 * kill -9 loses at most what the buffer held. Reads write the buffer first, so this node reads
 * its own events.
 */
export class InvocationLog {
  readonly #store: InvocationStore
  readonly #log: Logger
  readonly #now: () => number
  readonly #opts: InvocationLogOptions
  #events: InvocationEvent[] = []
  /** Script key → outcome → count, and when the script was last counted. */
  #counts = new Map<string, { outcomes: Map<string, number>; lastSeen: number }>()
  #writing: Promise<void> = Promise.resolve()
  #timer: ReturnType<typeof setInterval> | undefined
  #dropped = 0

  constructor(deps: { store: InvocationStore; log: Logger; now?: () => number; options?: Partial<InvocationLogOptions> }) {
    this.#store = deps.store
    this.#log = deps.log
    this.#now = deps.now ?? Date.now
    this.#opts = { flushIntervalMs: 1000, flushEvents: 500, keepPerScript: 200, retentionMs: 7 * 86_400_000, retentionBytes: 100 * 1024 * 1024, maxBufferedEvents: 10_000, ...deps.options }
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

  /** Trace events of a traced script. */
  append(ref: ScriptRef, events: TraceEvent[]): void {
    const at = this.#now()
    for (const event of events) this.#events.push({ ...ref, event, at })
    const excess = this.#events.length - this.#opts.maxBufferedEvents
    if (excess > 0) {
      this.#events.splice(0, excess)
      this.#dropped += excess
    }
    if (this.#events.length >= this.#opts.flushEvents) void this.flush()
  }

  /** Invocation counters from the edge processes (script key → outcome → count; every script). */
  addCounts(counts: Record<string, Record<string, number>>): void {
    const now = this.#now()
    for (const [key, outcomes] of Object.entries(counts)) {
      for (const [outcome, n] of Object.entries(outcomes)) {
        if (n === 0) continue
        const entry = this.#counts.get(key) ?? { outcomes: new Map<string, number>(), lastSeen: now }
        entry.outcomes.set(outcome, (entry.outcomes.get(outcome) ?? 0) + n)
        entry.lastSeen = now
        this.#counts.set(key, entry)
      }
    }
  }

  /** Writes what is buffered; resolves once it is in the store (or the write failed and was logged). */
  flush(): Promise<void> {
    this.#writing = this.#writing.then(() => this.#write())
    return this.#writing
  }

  /** The script's recent events, oldest first. */
  async recent(ref: ScriptRef): Promise<TraceEvent[]> {
    await this.flush()
    return (await this.#store.recent(ref, this.#opts.keepPerScript)) as TraceEvent[]
  }

  /** An account's stored events matching the query, newest first (this node's buffer written first). */
  async query(accountId: string, query: EventQuery): Promise<StoredEvent[]> {
    await this.flush()
    return this.#store.query(accountId, query)
  }

  /** Every script of an account that has been counted, with its counters. */
  async accountMetrics(accountId: string): Promise<Array<ScriptRef & ScriptMetrics>> {
    await this.flush()
    const byScript = new Map<string, ScriptRef & ScriptMetrics>()
    for (const c of await this.#store.counts(accountId)) {
      const key = scriptKeyOf(c)
      const m = byScript.get(key) ?? { accountId: c.accountId, namespaceId: c.namespaceId, script: c.script, invocations: 0, exceptions: 0, outcomes: {}, lastSeen: null }
      m.invocations += c.count
      if (c.outcome === 'exception') m.exceptions += c.count
      m.outcomes[c.outcome] = c.count
      m.lastSeen = Math.max(m.lastSeen ?? 0, c.lastSeen)
      byScript.set(key, m)
    }
    return [...byScript.values()]
  }

  /** Every account's counters summed per namespace and outcome (this node's buffer written first). */
  async namespaceTotals(): Promise<NamespaceTotal[]> {
    await this.flush()
    return this.#store.namespaceTotals()
  }

  async #write(): Promise<void> {
    const events = this.#events
    const pending = this.#counts
    if (events.length === 0 && pending.size === 0) return
    this.#events = []
    this.#counts = new Map()
    const counts: InvocationCount[] = []
    for (const [key, { outcomes, lastSeen }] of pending) {
      for (const [outcome, count] of outcomes) counts.push({ ...scriptRefOf(key), outcome, count, lastSeen })
    }
    if (this.#dropped > 0) {
      this.#log.warn({ dropped: this.#dropped }, 'invocation log buffer was full; dropped the oldest trace events')
      this.#dropped = 0
    }
    try {
      await this.#store.record({ counts, events }, { now: this.#now(), maxAgeMs: this.#opts.retentionMs, maxBytes: this.#opts.retentionBytes })
    } catch (err) {
      // Counters are small and add up: keep them for the next write. Events are dropped rather
      // than let an unreachable store grow the buffer.
      this.#restoreCounts(pending)
      this.#log.warn({ err, events: events.length }, 'could not write the invocation log; its trace events are lost')
    }
  }

  #restoreCounts(pending: Map<string, { outcomes: Map<string, number>; lastSeen: number }>): void {
    for (const [key, { outcomes, lastSeen }] of pending) {
      const entry = this.#counts.get(key) ?? { outcomes: new Map<string, number>(), lastSeen }
      for (const [outcome, n] of outcomes) entry.outcomes.set(outcome, (entry.outcomes.get(outcome) ?? 0) + n)
      entry.lastSeen = Math.max(entry.lastSeen, lastSeen)
      this.#counts.set(key, entry)
    }
  }
}
