import { startRawHello, startStaticTwoWorker } from '../lib/baselines.js'
import { HttpProbe } from '../lib/http-probe.js'
import { performance } from 'node:perf_hooks'
import { runLoad, type LoadResult } from '../lib/load.js'
import { cpuSeconds, ownCpuSeconds } from '../lib/proc.js'
import { startBenchPlatform, type BenchPlatform } from '../lib/platform.js'
import { atLeast, atMost, num, showRatio, showSpread, type Figure } from '../lib/report.js'
import { pairedDifferences, pairedRatios, spread } from '../lib/stats.js'
import type { StaticWorkerd } from '../lib/workerd.js'
import { helloWorker } from '../lib/workers.js'
import type { BenchContext, Scenario } from './scenario.js'

const CONCURRENCY = [1, 10, 50] as const
type Concurrency = (typeof CONCURRENCY)[number]

/** What is measured, each under the same load: two static workerd baselines and the platform twice. */
type TargetId = 'raw' | 'static2' | 'full1' | 'full2'

interface Target {
  id: TargetId
  origin: string
  host?: string
  /** The server's processes, for its CPU time. */
  pids: () => number[]
}

/** A load run with the CPU time it cost, per request: the servers, and this Node process. */
interface Measured extends LoadResult {
  serverCpuUsPerRequest: number
  /** The bench's own process: autocannon, plus the platform's control plane when it is the target. */
  nodeCpuUsPerRequest: number
  serverCpuPercent: number
}

type Results = Record<TargetId, Record<Concurrency, Measured[]>>

export const dispatchScenario: Scenario = {
  id: 'dispatch',
  title: '1. Dispatch throughput and latency',
  async run(ctx) {
    const rounds = ctx.quick ? 2 : 3
    const durationMs = ctx.quick ? 1000 : 4000
    const stops: Array<() => Promise<void>> = []
    try {
      const raw = await startRawHello()
      stops.push(() => raw.stop())
      const static2 = await startStaticTwoWorker()
      stops.push(() => static2.stop())
      const one = await startFullPath(1)
      stops.push(() => one.stop())
      const two = await startFullPath(2)
      stops.push(() => two.stop())
      const targets: Target[] = [
        { id: 'raw', origin: raw.origin, pids: () => [raw.pid] },
        { id: 'static2', origin: static2.origin, pids: () => [static2.pid] },
        { id: 'full1', origin: one.edgeOrigin, host: one.dispatchHost, pids: () => one.workerdPids() },
        { id: 'full2', origin: two.edgeOrigin, host: two.dispatchHost, pids: () => two.workerdPids() },
      ]
      await checkAnswers(targets)
      for (const t of targets) await load(t, 10, 500) // warm: JIT, isolates loaded, caches filled

      const results = emptyResults()
      for (let round = 0; round < rounds; round++) {
        for (const c of CONCURRENCY) {
          // Rotate the order every round so no target always runs first (or right after another).
          const order = targets.map((_, i) => targets[(i + round) % targets.length]!)
          for (const t of order) {
            const r = await load(t, c, durationMs)
            results[t.id][c].push(r)
            ctx.log(`dispatch round ${round + 1}/${rounds} c=${c} ${t.id}: ${num(r.rps)} req/s p50 ${num(r.p50)} ms`)
          }
        }
      }
      const incidents = [one, two].map((p, i) => {
        const { watchdog } = p.platform.edge
        const entries = watchdog.containment.entries().map((e) => `${e.key.split('/').pop()} ${e.status}`)
        const restarts = p.platform.edge.processes().reduce((n, x) => n + x.restarts, 0)
        return `${i + 1} edge process${i ? 'es' : ''}: ${watchdog.kills} watchdog kills, ${restarts} restarts${entries.length ? `, containment: ${entries.join(', ')}` : ''}`
      })
      return { figures: figures(results), notes: [...notes(raw, rounds, durationMs, results), `Platform incidents during the runs: ${incidents.join('; ')}.`] }
    } finally {
      for (const stop of stops.reverse()) await stop()
    }
  },
}

async function startFullPath(edgeProcesses: number): Promise<BenchPlatform> {
  const p = await startBenchPlatform({ edgeProcesses })
  await p.uploadUserWorker('hello', helloWorker('hello'))
  return p
}

async function load(t: Target, connections: number, durationMs: number): Promise<Measured> {
  const pids = t.pids().join(',')
  const server0 = cpuSeconds(t.pids())
  const node0 = ownCpuSeconds()
  const started = performance.now()
  const r = await runLoad({ origin: t.origin, ...(t.host ? { host: t.host } : {}), connections, paths: ['/hello'] }, { durationMs })
  const seconds = (performance.now() - started) / 1000
  // CPU is read over the whole run (ramp and wind-down included), so divide by all its responses;
  // a process replaced meanwhile took its CPU time with it, so then there is no figure.
  const requests = Math.max(1, r.allResponses)
  const server = t.pids().join(',') === pids ? cpuSeconds(t.pids()) - server0 : Number.NaN
  return {
    ...r,
    serverCpuUsPerRequest: (server / requests) * 1e6,
    nodeCpuUsPerRequest: ((ownCpuSeconds() - node0) / requests) * 1e6,
    serverCpuPercent: (server / seconds) * 100,
  }
}

/** Every target must serve the same hello world, or the comparison means nothing. */
async function checkAnswers(targets: Target[]): Promise<void> {
  for (const t of targets) {
    const probe = new HttpProbe(t.origin, t.host)
    const res = await probe.get('/hello')
    await probe.close()
    if (res.status !== 200 || res.text !== 'Hello world from hello') throw new Error(`${t.id} answered ${res.status} ${res.text}`)
  }
}

function emptyResults(): Results {
  const perC = (): Record<Concurrency, Measured[]> => ({ 1: [], 10: [], 50: [] })
  return { raw: perC(), static2: perC(), full1: perC(), full2: perC() }
}

const TARGET_RATIO: Partial<Record<Concurrency, number>> = { 1: 0.4, 10: 0.3 }

function figures(results: Results): Figure[] {
  const out: Figure[] = []
  const rps = (id: TargetId, c: Concurrency) => results[id][c].map((r) => r.rps)
  const p50 = (id: TargetId, c: Concurrency) => results[id][c].map((r) => r.p50)
  const p99 = (id: TargetId, c: Concurrency) => results[id][c].map((r) => r.p99)
  for (const c of CONCURRENCY) {
    const ratio = spread(pairedRatios(rps('full1', c), rps('raw', c)))
    const target = TARGET_RATIO[c]
    out.push({
      figure: `full path req/s, ${c} conn (1 edge process)`,
      measured: showSpread(spread(rps('full1', c)), 'req/s'),
      baseline: `raw workerd ${showSpread(spread(rps('raw', c)), 'req/s')}`,
      ratio: showRatio(ratio),
      target: target === undefined ? '' : `≥ ${target} of raw`,
      met: target === undefined ? undefined : atLeast(ratio.median, target),
      data: { full1: rps('full1', c), raw: rps('raw', c), ratios: ratio.values },
    })
    const staticRatio = spread(pairedRatios(rps('static2', c), rps('raw', c)))
    out.push({
      figure: `static two-Worker req/s, ${c} conn`,
      measured: showSpread(spread(rps('static2', c)), 'req/s'),
      baseline: 'raw workerd',
      ratio: showRatio(staticRatio),
      target: '',
      met: undefined,
      data: { static2: rps('static2', c), ratios: staticRatio.values },
    })
    const vsStatic = spread(pairedRatios(rps('full1', c), rps('static2', c)))
    out.push({
      figure: `full path vs static two-Worker, ${c} conn`,
      measured: showSpread(spread(rps('full1', c)), 'req/s'),
      baseline: `static two-Worker ${showSpread(spread(rps('static2', c)), 'req/s')}`,
      ratio: showRatio(vsStatic),
      target: '',
      met: undefined,
    })
    out.push({
      figure: `full path p50 / p99, ${c} conn`,
      measured: `${showSpread(spread(p50('full1', c)), 'ms')} / ${showSpread(spread(p99('full1', c)), 'ms')}`,
      baseline: `raw ${showSpread(spread(p50('raw', c)), 'ms')} / ${showSpread(spread(p99('raw', c)), 'ms')}; static two-Worker ${num(spread(p50('static2', c)).median)} / ${num(spread(p99('static2', c)).median)} ms`,
      ratio: showRatio(spread(pairedRatios(p50('full1', c), p50('raw', c)))),
      target: '',
      met: undefined,
      data: { full1: { p50: p50('full1', c), p99: p99('full1', c) }, raw: { p50: p50('raw', c), p99: p99('raw', c) } },
    })
    const cpu = (id: TargetId, key: 'serverCpuUsPerRequest' | 'nodeCpuUsPerRequest') => spread(results[id][c].map((r) => r[key]))
    out.push({
      figure: `CPU per request, ${c} conn: workerd processes · bench Node process`,
      measured: `${num(cpu('full1', 'serverCpuUsPerRequest').median, 0)} µs · ${num(cpu('full1', 'nodeCpuUsPerRequest').median, 0)} µs`,
      baseline: `raw ${num(cpu('raw', 'serverCpuUsPerRequest').median, 0)} µs · ${num(cpu('raw', 'nodeCpuUsPerRequest').median, 0)} µs; static two-Worker ${num(cpu('static2', 'serverCpuUsPerRequest').median, 0)} µs · ${num(cpu('static2', 'nodeCpuUsPerRequest').median, 0)} µs`,
      ratio: showRatio(spread(pairedRatios(
        results.full1[c].map((r) => r.serverCpuUsPerRequest),
        results.raw[c].map((r) => r.serverCpuUsPerRequest),
      ))),
      target: '',
      met: undefined,
      data: {
        full1: results.full1[c].map((r) => [r.serverCpuUsPerRequest, r.nodeCpuUsPerRequest, r.serverCpuPercent]),
        raw: results.raw[c].map((r) => [r.serverCpuUsPerRequest, r.nodeCpuUsPerRequest, r.serverCpuPercent]),
      },
    })
    if (c === 1) {
      const added = spread(pairedDifferences(p50('full1', 1), p50('raw', 1)))
      out.push({
        figure: 'p50 added over raw, 1 conn',
        measured: showSpread(added, 'ms'),
        baseline: `raw p50 ${showSpread(spread(p50('raw', 1)), 'ms')}`,
        ratio: '',
        target: '≤ 0.35 ms',
        met: atMost(added.median, 0.35),
        data: { added: added.values },
      })
    }
    const defaultRatio = spread(pairedRatios(rps('full2', c), rps('raw', c)))
    out.push({
      figure: `full path req/s, ${c} conn, default config (2 edge processes)`,
      measured: showSpread(spread(rps('full2', c)), 'req/s'),
      baseline: 'raw workerd (1 process)',
      ratio: showRatio(defaultRatio),
      target: '',
      met: undefined,
      data: { full2: rps('full2', c), ratios: defaultRatio.values },
    })
    if (c !== 1) {
      const scaling = spread(pairedRatios(rps('full2', c), rps('full1', c)))
      out.push({
        figure: `2 edge processes vs 1, ${c} conn`,
        measured: showSpread(spread(rps('full2', c)), 'req/s'),
        baseline: `1 process ${showSpread(spread(rps('full1', c)), 'req/s')}`,
        ratio: showRatio(scaling),
        target: c === 50 ? '≥ 1.5×' : '',
        met: c === 50 ? atLeast(scaling.median, 1.5) : undefined,
        data: { ratios: scaling.values },
      })
    }
  }
  return out
}

function notes(raw: StaticWorkerd, rounds: number, durationMs: number, results: Results): string[] {
  const failures = Object.entries(results).flatMap(([id, perC]) =>
    Object.entries(perC as Record<string, Measured[]>).flatMap(([c, rs]) =>
      rs.filter((r) => r.errors + r.non2xx > 0).map((r) => `${id} c=${c}: ${r.errors} errors, ${r.non2xx} non-2xx`),
    ),
  )
  return [
    `${rounds} interleaved rounds × ${durationMs / 1000} s per target and concurrency; autocannon in the bench's own Node process, on the same 2 cores as the servers.`,
    'full path = edge socket → host worker → account dispatch Worker → `env.dispatcher.get("hello").fetch(req)` → user Worker (Worker Loader), hello world. ' +
      'Target rows compare like with like: the platform with 1 edge process against raw workerd, 1 process; the default config (2 processes here) is shown separately.',
    `raw = \`workerd serve\` of a static config with the same hello-world module (pid ${raw.pid}); static two-Worker = a static dispatch Worker with a service binding to that user Worker.`,
    'CPU per request: CPU time of the target\'s process tree (/proc/<pid>/stat) over the run divided by its responses. ' +
      'The bench Node process runs autocannon for every target and, for the platform, also its control plane (internal API, watchdog): ' +
      'the difference to the raw row is what the platform\'s Node side spends per request.',
    failures.length ? `Failed requests: ${failures.join('; ')}.` : 'No failed or non-2xx requests in any measured window.',
  ]
}
