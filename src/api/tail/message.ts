import type { TraceEvent } from '../../runtime/events.js'

/**
 * One tail event as Cloudflare's tail socket sends it and `wrangler tail` prints it: workerd's
 * TraceItem with the script's own name (Worker Loader isolates report none) and only the fields
 * clients read, so nothing about how the platform loaded the Worker leaks out.
 */
export interface TailMessage {
  outcome: string
  scriptName: string
  exceptions: NonNullable<TraceEvent['exceptions']>
  logs: NonNullable<TraceEvent['logs']>
  eventTimestamp: number | null
  event: TraceEvent['event'] | null
  diagnosticsChannelEvents: unknown[]
  truncated: boolean
  scriptVersion?: { id?: string; tag?: string; message?: string }
  dispatchNamespace?: string
}

export interface TailTarget {
  script: string
  /** Set for a script of a dispatch namespace; Cloudflare names the namespace in its events. */
  namespaceName: string | null
}

export function toTailMessage(event: TraceEvent, target: TailTarget): TailMessage {
  return {
    outcome: event.outcome ?? 'unknown',
    scriptName: target.script,
    exceptions: event.exceptions ?? [],
    logs: event.logs ?? [],
    eventTimestamp: event.eventTimestamp ?? null,
    event: event.event ?? null,
    diagnosticsChannelEvents: Array.isArray(event.diagnosticsChannelEvents) ? event.diagnosticsChannelEvents : [],
    truncated: event.truncated === true,
    ...(isVersion(event.scriptVersion) ? { scriptVersion: event.scriptVersion } : {}),
    ...(target.namespaceName !== null ? { dispatchNamespace: target.namespaceName } : {}),
  }
}

const isVersion = (v: unknown): v is TailMessage['scriptVersion'] => typeof v === 'object' && v !== null
