import type { StatusView } from '../../api/context.js'
import { call, target, type Target } from '../api-client.js'
import { sinceToMs } from '../logs-since.js'
import { dataDirOption, defineCommand, jsonOption, printJson, str } from '../command.js'

export const status = defineCommand({
  path: ['status'],
  describe: 'Show your scripts on probation or refused; with operator credentials also workerd processes and the sandbox',
  options: { ...dataDirOption, ...jsonOption },
  example: 'status --json',
  async run({ values }) {
    const s = await call<StatusView>(target(str(values['data-dir'])), 'GET', '/workerhive/status')
    if (values.json) return printJson(s)
    const out: string[] = []
    // Host figures come only with operator credentials; a tenant sees its own scripts only.
    if (s.sandbox)
      out.push(
        s.sandbox.kind === 'none'
          ? `sandbox: NONE (${s.sandbox.reason ?? 'unknown'}) \u2014 workerd runs unconfined`
          : `sandbox: ${s.sandbox.kind}`,
      )
    if (s.watchdog) out.push(`watchdog: ${s.watchdog.kills} kills, ${s.watchdog.recycles} recycles`)
    for (const p of s.processes ?? []) out.push(`workerd #${p.index} ${p.role.padEnd(9)} ${p.state.padEnd(8)} pid ${p.pid ?? '-'}  restarts ${p.restarts}`)
    if (!s.containment) out.push('edge: not running')
    else if (s.containment.length === 0) out.push('containment: no script on probation or refused')
    for (const c of s.containment ?? []) {
      out.push(`${c.status.padEnd(9)} ${c.key}  (${c.reason}, ${c.strikes} strikes, until ${new Date(c.until).toISOString()})`)
    }
    process.stdout.write(out.join('\n') + '\n')
    return 0
  },
})

interface LogEvent {
  outcome?: string
  eventTimestamp?: number
  logs?: Array<{ level: string; message: unknown[] }>
  exceptions?: Array<{ name?: string; message?: string; stack?: string }>
  event?: { request?: { method?: string; url?: string }; response?: { status?: number } } | null
  rayId?: string
}

/** What the observability query answers per event (the fields this command reads). */
interface TelemetryEvent {
  timestamp: number
  source: LogEvent
  $metadata: { id: string }
}

/** How often `--follow` asks for new events. */
const FOLLOW_POLL_MS = 1000

export const logs = defineCommand({
  path: ['logs'],
  describe: 'Show the invocations of a Worker (recent ones, those since a time, or new ones as they come): requests, outcomes, console lines, exceptions',
  args: [{ name: 'script', describe: 'Name of the Worker' }],
  options: {
    ...dataDirOption,
    namespace: { type: 'string', value: 'NAME', describe: 'Dispatch namespace of the Worker (default: an account Worker)' },
    ray: { type: 'string', value: 'ID', describe: 'Only the invocation with this ray id (from an error page or a cf-ray header)' },
    since: { type: 'string', value: 'WHEN', describe: 'Stored events since a duration ago (30s, 15m, 1h, 7d) or an ISO time' },
    follow: { type: 'boolean', describe: 'Keep printing new events as they come (Ctrl-C ends)' },
    ...jsonOption,
  },
  example: 'logs customer-123 --namespace production --since 1h --follow',
  async run({ values, args: [script] }) {
    const t = target(str(values['data-dir']))
    const ns = str(values.namespace)
    const since = str(values.since)
    if (since !== undefined || values.follow) {
      const print = (e: LogEvent) => (values.json ? process.stdout.write(JSON.stringify(e) + '\n') : printLogEvent(e))
      return followLogs(t, script!, ns, sinceToMs(since ?? '0s', Date.now()), values.follow === true, print)
    }
    const query = new URLSearchParams({ script: script! })
    if (ns) query.set('namespace', ns)
    const ray = str(values.ray)
    if (ray) query.set('ray', ray)
    const events = await call<LogEvent[]>(t, 'GET', `/accounts/${t.accountId}/workerhive/logs?${query}`)
    if (values.json) return printJson(events)
    if (events.length === 0) process.stdout.write('No recent invocations.\n')
    for (const e of events) printLogEvent(e)
    return 0
  },
})

/**
 * Events from the observability query API since `from`, oldest first; with `follow`, asks again
 * every second for what came after the newest one printed, until Ctrl-C.
 */
async function followLogs(t: Target, script: string, ns: string | undefined, from: number, follow: boolean, print: (e: LogEvent) => void): Promise<number> {
  const filters = [{ key: '$workers.scriptName', operation: 'eq', type: 'string', value: script }]
  if (ns) filters.push({ key: '$workers.dispatchNamespace', operation: 'eq', type: 'string', value: ns })
  const seen = new Set<string>()
  let stopped = false
  const stop = () => {
    stopped = true
  }
  process.once('SIGINT', stop)
  try {
    for (;;) {
      const result = await call<{ events: { events: TelemetryEvent[] } }>(t, 'POST', `/accounts/${t.accountId}/workers/observability/telemetry/query`, {
        queryId: 'workerhive-cli-logs',
        view: 'events',
        limit: 2000,
        timeframe: { from, to: Date.now() },
        parameters: { filters },
      })
      for (const e of [...result.events.events].reverse()) {
        if (seen.has(e.$metadata.id)) continue
        seen.add(e.$metadata.id)
        from = Math.max(from, e.timestamp)
        print(e.source)
      }
      if (!follow || stopped) return 0
      await new Promise((r) => setTimeout(r, FOLLOW_POLL_MS))
      if (stopped) return 0
    }
  } finally {
    process.off('SIGINT', stop)
  }
}

function printLogEvent(e: LogEvent): void {
  const when = e.eventTimestamp ? new Date(e.eventTimestamp).toISOString() : '-'
  const req = e.event?.request
  const rayNote = e.rayId ? ` ray ${e.rayId}` : ''
  process.stdout.write(`${when} ${req?.method ?? ''} ${req?.url ?? ''} -> ${e.event?.response?.status ?? '-'} (${e.outcome ?? '?'})${rayNote}\n`)
  for (const l of e.logs ?? []) process.stdout.write(`  [${l.level}] ${l.message.map((m) => (typeof m === 'string' ? m : JSON.stringify(m))).join(' ')}\n`)
  for (const x of e.exceptions ?? []) {
    process.stdout.write(`  [exception] ${x.name ?? 'Error'}: ${x.message ?? ''}\n`)
    for (const frame of (x.stack ?? '').split('\n').filter((f) => f.trim() !== '')) process.stdout.write(`    ${frame.trim()}\n`)
  }
}
