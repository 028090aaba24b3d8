import { HEADER_RAY, rayIdOf } from '../shared/edge-errors.js'
import type { ScriptRef } from '../storage/store.js'

/**
 * Trace events of every Worker invocation (logs, exceptions, outcome, request), as workerd hands
 * them to the host's Tail entrypoint. The hub fans them out to live tails (wrangler tail); the
 * invocation log (./invocation-log.ts) keeps them for operators.
 */
export type { ScriptRef }

/**
 * The subset of workerd's TraceItem the platform relies on. Other fields travel untouched (to
 * tails and into the stored log), so a field added here later needs no migration.
 */
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

export type Listener = (ref: ScriptRef, event: TraceEvent) => void

export const scriptKeyOf = (r: ScriptRef): string => `${r.accountId}/${r.namespaceId}/${r.script}`

/** The reverse of scriptKeyOf (script names never contain '/'; the join is defensive). */
export function scriptRefOf(key: string): ScriptRef {
  const [accountId, namespaceId, ...rest] = key.split('/')
  return { accountId: accountId ?? '', namespaceId: namespaceId ?? '', script: rest.join('/') }
}

export class EventHub {
  readonly #listeners = new Map<string, Set<Listener>>()

  /** Trace events of a traced script, sent to its live tails. */
  publish(ref: ScriptRef, events: TraceEvent[]): void {
    const listeners = this.#listeners.get(scriptKeyOf(ref))
    if (!listeners) return
    for (const e of events) for (const l of listeners) l(ref, e)
  }

  /** Live events of one script until the returned function is called. */
  subscribe(ref: ScriptRef, listener: Listener): () => void {
    const key = scriptKeyOf(ref)
    const set = this.#listeners.get(key) ?? new Set()
    set.add(listener)
    this.#listeners.set(key, set)
    return () => {
      set.delete(listener)
      if (set.size === 0) this.#listeners.delete(key)
    }
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
