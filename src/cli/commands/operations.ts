import type { StatusView } from '../../api/context.js'
import { call, target } from '../api-client.js'
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

export const logs = defineCommand({
  path: ['logs'],
  describe: 'Show the recent invocations of a Worker (or the one with a ray id): requests, outcomes, console lines, exceptions',
  args: [{ name: 'script', describe: 'Name of the Worker' }],
  options: {
    ...dataDirOption,
    namespace: { type: 'string', value: 'NAME', describe: 'Dispatch namespace of the Worker (default: an account Worker)' },
    ray: { type: 'string', value: 'ID', describe: 'Only the invocation with this ray id (from an error page or a cf-ray header)' },
    ...jsonOption,
  },
  example: 'logs customer-123 --namespace production',
  async run({ values, args: [script] }) {
    const t = target(str(values['data-dir']))
    const query = new URLSearchParams({ script: script! })
    const ns = str(values.namespace)
    if (ns) query.set('namespace', ns)
    const ray = str(values.ray)
    if (ray) query.set('ray', ray)
    const events = await call<LogEvent[]>(t, 'GET', `/accounts/${t.accountId}/workerhive/logs?${query}`)
    if (values.json) return printJson(events)
    if (events.length === 0) process.stdout.write('No recent invocations.\n')
    for (const e of events) {
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
    return 0
  },
})
