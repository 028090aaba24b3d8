import type { StoredEvent } from '../../storage/store.js'

interface TraceLike {
  outcome?: string
  eventTimestamp?: number | null
  wallTime?: number
  cpuTime?: number
  rayId?: string
  logs?: Array<{ message?: unknown[]; level?: string; timestamp?: number }>
  exceptions?: Array<{ name?: string; message?: string; stack?: string; timestamp?: number }>
  event?: { request?: { url?: string; method?: string }; response?: { status?: number }; cron?: string } | null
}

/**
 * One stored invocation as a Cloudflare telemetry event: `$metadata` holds the indexed fields
 * (request id = the ray id, level, message, duration), `$workers` the invocation, and `source`
 * the whole trace item (console lines, exceptions with their stacks, outcome) as recorded.
 */
export function telemetryEventOf(stored: StoredEvent, accountId: string, dispatchNamespace: string | null): Record<string, unknown> {
  const e = stored.event as TraceLike
  const exception = e.exceptions?.[0]
  const firstLog = e.logs?.[0]
  const message = exception ? `${exception.name ?? 'Error'}: ${exception.message ?? ''}` : firstLog ? (firstLog.message ?? []).map(String).join(' ') : undefined
  const duration = durationOf(e, stored.timestamp)
  const request = e.event?.request
  const eventType = request ? 'fetch' : e.event?.cron !== undefined ? 'cron' : 'unknown'
  return {
    dataset: 'cloudflare-workers',
    timestamp: stored.timestamp,
    source: stored.event,
    $metadata: {
      id: String(stored.seq),
      account: accountId,
      service: stored.script,
      type: 'cf-worker-event',
      level: exception || e.outcome !== 'ok' ? 'error' : 'info',
      ...(message !== undefined ? { message } : {}),
      ...(exception ? { error: message } : {}),
      ...(e.rayId ? { requestId: e.rayId, rayId: e.rayId } : {}),
      ...(request?.url ? { url: request.url, trigger: `${request.method ?? 'GET'} ${new URL(request.url).pathname}` } : {}),
      ...(e.event?.response?.status !== undefined ? { statusCode: e.event.response.status } : {}),
      startTime: stored.timestamp,
      endTime: stored.timestamp + duration,
      duration,
    },
    $workers: {
      eventType,
      scriptName: stored.script,
      outcome: e.outcome ?? 'unknown',
      wallTimeMs: duration,
      cpuTimeMs: typeof e.cpuTime === 'number' ? e.cpuTime : 0,
      ...(e.rayId ? { requestId: e.rayId } : {}),
      ...(dispatchNamespace ? { dispatchNamespace } : {}),
    },
  }
}

/** workerd's wallTime when it reports one, else the span from the event's start to its last line. */
function durationOf(e: TraceLike, start: number): number {
  if (typeof e.wallTime === 'number') return e.wallTime
  const times = [...(e.logs ?? []), ...(e.exceptions ?? [])].map((x) => x.timestamp).filter((t): t is number => typeof t === 'number')
  return times.length === 0 ? 0 : Math.max(0, Math.max(...times) - start)
}
