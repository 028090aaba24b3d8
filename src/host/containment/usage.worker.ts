/**
 * Usage of this process's Workers, per script, minute and outcome, drained by each watchdog probe
 * (every ~100 ms) and aggregated further by Node (src/runtime/usage-recorder.ts). It costs a few
 * map updates per invocation, so every script is metered, traced or not.
 *
 * The API for other parts of the host: `recordUsage(scriptKey, { kvReads: 1 })` for what a
 * Worker's binding or subrequest used. Such usage is not tied to one invocation (a binding cannot
 * tell which of several concurrent invocations of an isolate called it), so it is charged to the
 * next invocation of the script that ends, or, if none ends before the drain (waitUntil work),
 * to a record of the `ok` outcome with no request.
 */
import { addCounters, addSample, emptyCounters, MAX_BUCKET, minuteOf, type CpuReport, type DrainedUsage, type UsageCounters, type UsageStatus } from '../../shared/usage.js'

/**
 * What the host measured of one invocation. `cpuUs` is given only where the host knows it (an
 * invocation stopped at its CPU limit used its budget); otherwise the isolate's meter reports CPU
 * time in batches (recordCpuReport).
 */
export interface InvocationUsage {
  cpuUs?: number | undefined
  wallUs: number
  bytesIn: number
  bytesOut: number
}

let records = new Map<string, DrainedUsage>()
let pending = new Map<string, Partial<UsageCounters>>()

function recordOf(key: string, status: UsageStatus): DrainedUsage {
  const minute = minuteOf(Date.now())
  const id = `${minute} ${status} ${key}`
  let r = records.get(id)
  if (!r) records.set(id, (r = { key, minute, status, ...emptyCounters(), cpuHistogram: {}, wallHistogram: {} }))
  return r
}

/** One invocation of a script ended with `status`. */
export function recordInvocation(key: string, status: UsageStatus, usage: InvocationUsage): void {
  const r = recordOf(key, status)
  r.requests++
  r.wallTimeUs += usage.wallUs
  r.bytesIn += usage.bytesIn
  r.bytesOut += usage.bytesOut
  addSample(r.wallHistogram, usage.wallUs)
  if (usage.cpuUs !== undefined) {
    r.cpuTimeUs += usage.cpuUs
    addSample(r.cpuHistogram, usage.cpuUs)
  }
  const extra = pending.get(key)
  if (extra) {
    addCounters(r, extra)
    pending.delete(key)
  }
}

/** CPU time an isolate's meter charged to a script's finished invocations since its last report. */
export function recordCpuReport(key: string, report: CpuReport): void {
  for (const outcome of ['ok', 'exception'] as const) {
    const batch = report[outcome]
    if (!batch || !(batch.n > 0) || !(batch.sumUs >= 0)) continue
    const r = recordOf(key, outcome)
    r.cpuTimeUs += batch.sumUs
    for (const [key, count] of Object.entries(batch.histogram)) {
      const bucket = Number(key)
      if (Number.isInteger(bucket) && bucket >= 0 && bucket <= MAX_BUCKET && count > 0) r.cpuHistogram[bucket] = (r.cpuHistogram[bucket] ?? 0) + count
    }
  }
}

/** Usage of a script that is not an invocation of its own: a KV call, a subrequest. */
export function recordUsage(key: string, delta: Partial<UsageCounters>): void {
  const p = pending.get(key)
  if (p) for (const [k, v] of Object.entries(delta) as Array<[keyof UsageCounters, number]>) p[k] = (p[k] ?? 0) + v
  else pending.set(key, { ...delta })
}

/** Everything recorded since the last drain. */
export function drainUsage(): DrainedUsage[] {
  for (const [key, extra] of pending) addCounters(recordOf(key, 'ok'), extra)
  pending = new Map()
  const out = [...records.values()]
  records = new Map()
  return out
}
