import { HEADER_RAY, rayIdOf } from '../host/shared/edge-errors.js'

/**
 * Trace events of every Worker invocation (logs, exceptions, outcome, request), as workerd hands
 * them to the host's Tail entrypoint. The hub fans them out to live tails (wrangler tail) and
 * keeps per-script recent logs and counters for operators.
 */
export interface ScriptRef {
  accountId: string
  /** '' for account-level scripts. */
  namespaceId: string
  script: string
}

/** The subset of workerd's TraceItem the platform relies on. */
export interface TraceEvent {
  outcome?: string
  scriptName?: string | null
  eventTimestamp?: number | null
  exceptions?: Array<{ name?: string; message?: string; timestamp?: number }>
  logs?: Array<{ message: unknown[]; level: string; timestamp: number }>
  event?: { request?: { url?: string; method?: string; headers?: Record<string, string> }; response?: { status?: number } } | null
  /** The edge request's ray id (the `cf-ray` the Worker received, without its colo). */
  rayId?: string
  [key: string]: unknown
}

export interface ScriptMetrics {
  invocations: number
  exceptions: number
  outcomes: Record<string, number>
  lastSeen: number | null
}

export type Listener = (ref: ScriptRef, event: TraceEvent) => void

const RECENT = 200
const keyOf = (r: ScriptRef): string => `${r.accountId}/${r.namespaceId}/${r.script}`

export class EventHub {
  readonly #listeners = new Map<string, Set<Listener>>()
  readonly #recent = new Map<string, TraceEvent[]>()
  readonly #metrics = new Map<string, ScriptMetrics>()
  readonly #now: () => number

  constructor(now: () => number = Date.now) {
    this.#now = now
  }

  /** Trace events of a traced script: kept as its recent logs and sent to its live tails. */
  publish(ref: ScriptRef, events: TraceEvent[]): void {
    const key = keyOf(ref)
    const recent = this.#recent.get(key) ?? []
    for (const e of events) {
      recent.push(e)
      for (const l of this.#listeners.get(key) ?? []) l(ref, e)
    }
    if (recent.length > RECENT) recent.splice(0, recent.length - RECENT)
    this.#recent.set(key, recent)
  }

  /** Invocation counters from the edge processes (every script, traced or not). */
  addCounts(counts: Record<string, Record<string, number>>): void {
    for (const [key, outcomes] of Object.entries(counts)) {
      const m = this.#metrics.get(key) ?? { invocations: 0, exceptions: 0, outcomes: {}, lastSeen: null }
      for (const [outcome, n] of Object.entries(outcomes)) {
        if (n === 0) continue
        m.invocations += n
        if (outcome === 'exception') m.exceptions += n
        m.outcomes[outcome] = (m.outcomes[outcome] ?? 0) + n
        m.lastSeen = this.#now()
      }
      this.#metrics.set(key, m)
    }
  }

  /** Live events of one script until the returned function is called. */
  subscribe(ref: ScriptRef, listener: Listener): () => void {
    const key = keyOf(ref)
    const set = this.#listeners.get(key) ?? new Set()
    set.add(listener)
    this.#listeners.set(key, set)
    return () => {
      set.delete(listener)
      if (set.size === 0) this.#listeners.delete(key)
    }
  }

  recent(ref: ScriptRef): TraceEvent[] {
    return [...(this.#recent.get(keyOf(ref)) ?? [])]
  }

  /** Every script of an account that has reported anything, with its counters. */
  accountMetrics(accountId: string): Array<ScriptRef & ScriptMetrics> {
    const out: Array<ScriptRef & ScriptMetrics> = []
    for (const [key, m] of this.#metrics) {
      const [acct, ns, ...rest] = key.split('/')
      if (acct === accountId) out.push({ accountId: acct, namespaceId: ns ?? '', script: rest.join('/'), ...m })
    }
    return out
  }
}

/**
 * The event with the ray id of its request, read from the `cf-ray` header the edge set, so an
 * operator finds an invocation by the id on the error page a customer sends in.
 */
export function withRayId(event: TraceEvent): TraceEvent {
  const headers = event.event?.request?.headers ?? {}
  const ray = Object.entries(headers).find(([name]) => name.toLowerCase() === HEADER_RAY)?.[1]
  return typeof ray === 'string' && ray !== '' ? { ...event, rayId: rayIdOf(ray) } : event
}
