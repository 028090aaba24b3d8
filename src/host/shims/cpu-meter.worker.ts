// CPU metering inside a loaded Worker's isolate. Open-source workerd enforces no CPU limit and
// cannot interrupt a running isolate for the host, so customer code carries checkpoints (inserted
// by Node when it serves the code, src/runtime/internal/cpu-checkpoints.ts) that call this
// module's meter; it charges the time between close checkpoints to the invocations running, and
// throws Cloudflare's error in the isolate once one is past its budget. Only that isolate's
// invocation fails: the process, and every other Worker in it, carries on.
import { CPU_BUDGET_HEADER, CPU_CHECKPOINT, CPU_LIMIT_MESSAGE } from '../../shared/protocol.js'
import { OWN } from './main-module.worker.js'
import { BUCKETS_PER_OCTAVE, MAX_BUCKET, bucketOf } from '../../shared/usage.js'

export const CPU_METER_PATH = `${OWN}cpu-meter.js`

/**
 * JS source of the meter module, evaluated before any customer module. A gap between checkpoints
 * longer than GAP_MS is taken for time spent waiting (on I/O, a timer, another isolate) and is not
 * charged. An invocation past its budget makes every checkpoint throw until it ends. With
 * `measureAll` (usage metering on), an invocation without a budget is measured too, with no limit,
 * and the time charged is kept in the isolate until the host collects it through the CpuReport
 * entrypoint (src/host/containment/cpu-reports.worker.ts). Reporting on each
 * response instead would cost the host a copy of every response (its headers are immutable) to
 * remove the report: that copy was most of what metering cost per request.
 */
const meterSource = (measureAll: boolean): string => `import { WorkerEntrypoint } from "cloudflare:workers"
const MEASURE_ALL = ${measureAll}
const BUDGET_HEADER = ${JSON.stringify(CPU_BUDGET_HEADER)}
const MESSAGE = ${JSON.stringify(CPU_LIMIT_MESSAGE)}
const BUCKETS_PER_OCTAVE = ${BUCKETS_PER_OCTAVE}
const MAX_BUCKET = ${MAX_BUCKET}
${bucketOf.toString()}
// CPU time of finished invocations not collected yet, by how they ended: { n, sumUs, histogram }.
let uncollected = {}
function charge(outcome, used) {
  const us = Math.round(used * 1000)
  const batch = uncollected[outcome] ??= { n: 0, sumUs: 0, histogram: {} }
  const bucket = bucketOf(us)
  batch.n++
  batch.sumUs += us
  batch.histogram[bucket] = (batch.histogram[bucket] ?? 0) + 1
}
const GAP_MS = 2
// Captured before customer code runs, which may replace globals (a tenant must not fake its report).
const clock = performance.now.bind(performance)
const stringify = JSON.stringify
const Report = Response
const Math = { min: globalThis.Math.min, floor: globalThis.Math.floor, log2: globalThis.Math.log2, round: globalThis.Math.round }
// Reading the clock costs more than a tight loop's iteration: while checkpoints come fast, only
// every CLOCK_EVERY-th reads it; when they are slow (or after a wait), every one does, so the
// interval between reads stays under GAP_MS and is charged.
const CLOCK_EVERY = 16
const running = new Set()
let last = 0
let every = 1
let skipped = 0
let tripped = 0
function checkpoint() {
  if (running.size === 0) return
  if (tripped > 0) throw new Error(MESSAGE)
  if (++skipped < every) return
  const checks = skipped
  skipped = 0
  const now = clock()
  const spent = now - last
  last = now
  every = spent / checks > GAP_MS / CLOCK_EVERY ? 1 : CLOCK_EVERY
  let over = false
  for (const invocation of running) {
    if (spent <= GAP_MS) invocation.used += spent
    if (invocation.used > invocation.budget && !invocation.over) {
      invocation.over = over = true
      tripped++
    }
  }
  if (over) throw new Error(MESSAGE)
}
// Not writable, not configurable: customer code cannot switch the meter off.
Object.defineProperty(globalThis, ${JSON.stringify(CPU_CHECKPOINT)}, { value: checkpoint })

/** Runs one invocation under the meter: charged to the running set, thrown at once past its budget. */
function measured(budget, run) {
  const invocation = { budget, used: 0, over: false }
  running.add(invocation)
  last = clock()
  every = 1
  const settle = (ok, value) => {
    running.delete(invocation)
    if (invocation.over) tripped--
    // Past the budget, the invocation fails even if the Worker caught the error.
    if (invocation.over) throw new Error(MESSAGE)
    if (MEASURE_ALL) charge(ok ? "ok" : "exception", invocation.used)
    if (ok) return value
    throw value
  }
  let result
  try {
    result = run()
  } catch (err) {
    return settle(false, err)
  }
  return Promise.resolve(result).then((value) => settle(true, value), (err) => settle(false, err))
}

/**
 * The handler object with its fetch metered when the host sent a budget with the request, and,
 * with usage metering on, every fetch, scheduled and queue invocation measured.
 */
export function meteredEntry(entry, self) {
  if (!entry || typeof entry !== "object") return entry
  const { fetch, scheduled, queue } = entry
  const wrapFetch = typeof fetch === "function"
  const wrapOthers = MEASURE_ALL && (typeof scheduled === "function" || typeof queue === "function")
  if (!wrapFetch && !wrapOthers) return entry
  // Everything else of the handler object (a class instance's prototype methods too) stays reachable.
  const metered = Object.create(entry)
  if (wrapFetch) Object.defineProperty(metered, "fetch", { enumerable: true, value: function (request, env, ctx) {
      const header = request.headers.get(BUDGET_HEADER)
      if (header === null && !MEASURE_ALL) return fetch.call(self, request, env, ctx)
      let inner = request
      if (header !== null) {
        const headers = new Headers(request.headers)
        headers.delete(BUDGET_HEADER)
        inner = new Request(request, { headers })
      }
      return measured(header === null ? Infinity : Number(header), () => fetch.call(self, inner, env, ctx))
  } })
  if (MEASURE_ALL) {
    for (const [name, handler] of [["scheduled", scheduled], ["queue", queue]]) {
      if (typeof handler !== "function") continue
      Object.defineProperty(metered, name, { enumerable: true, value: (event, env, ctx) => measured(Infinity, () => handler.call(self, event, env, ctx)) })
    }
  }
  return metered
}

/** How the host collects the CPU time charged so far (a named entrypoint customer code never sees). */
export class CpuReport extends WorkerEntrypoint {
  fetch() {
    const report = stringify(uncollected)
    uncollected = {}
    return new Report(report)
  }
}
`

/** The meter with usage metering on (every fetch invocation measured) and off (only those with a limit). */
export const cpuMeterModule = { measuring: meterSource(true), limitsOnly: meterSource(false) }
