import { startLoadedDispatchBaseline, startLoaderBaseline, startRawHello, startStaticDispatchLoaderBaseline, startStaticTwoWorker } from '../lib/baselines.js'
import { HttpProbe } from '../lib/http-probe.js'
import { runLoad, type LoadResult } from '../lib/load.js'
import { startBenchPlatform, type BenchPlatform } from '../lib/platform.js'
import { cpuSeconds, ownCpuSeconds } from '../lib/proc.js'
import { atLeast, atMost, num, showRatio, showSpread, type Figure } from '../lib/report.js'
import { pairedDifferences, pairedRatios, spread } from '../lib/stats.js'
import type { StaticWorkerd } from '../lib/workerd.js'
import { helloWorker } from '../lib/workers.js'
import type { Scenario } from './scenario.js'

const CONCURRENCY = [1, 10, 50] as const
type Concurrency = (typeof CONCURRENCY)[number]

/**
 * Targets of the same load: static workerd baselines (raw; the static two-Worker config; and three
 * Worker Loader shapes with no platform code, the floors of the designs), and the platform with 1
 * and 2 edge processes, plus one account Worker reached without a dispatch Worker (`direct`).
 */
const TARGET_IDS = ['raw', 'static2', 'loader', 'loadedDispatch', 'staticDispatchLoader', 'direct', 'full1', 'full2'] as const
type TargetId = (typeof TARGET_IDS)[number]

interface Target {
  id: TargetId
  origin: string
  host?: string
  /** The server's processes, for its CPU time. */
  pids: () => number[]
}

/** A load run with the CPU time it cost per request: the server's, and this Node process's. */
interface Measured extends LoadResult {
  serverCpuUs: number
  /** The bench's own process: autocannon, plus the platform's control plane when it is the target. */
  nodeCpuUs: number
}

type Results = Record<TargetId, Record<Concurrency, Measured[]>>

/** Target ratios of full path to raw workerd, by connections (issue 7). */
const TARGET_RATIO: Partial<Record<Concurrency, number>> = { 1: 0.4, 10: 0.3 }

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
      const loader = await startLoaderBaseline()
      stops.push(() => loader.stop())
      const loadedDispatch = await startLoadedDispatchBaseline()
      stops.push(() => loadedDispatch.stop())
      const staticDispatchLoader = await startStaticDispatchLoaderBaseline()
      stops.push(() => staticDispatchLoader.stop())
      const one = await startFullPath(1)
      stops.push(() => one.stop())
      const two = await startFullPath(2)
      stops.push(() => two.stop())
      const targets: Target[] = [
        { id: 'raw', origin: raw.origin, pids: () => [raw.pid] },
        { id: 'static2', origin: static2.origin, pids: () => [static2.pid] },
        { id: 'loader', origin: loader.origin, pids: () => [loader.pid] },
        { id: 'loadedDispatch', origin: loadedDispatch.origin, pids: () => [loadedDispatch.pid] },
        { id: 'staticDispatchLoader', origin: staticDispatchLoader.origin, pids: () => [staticDispatchLoader.pid] },
        { id: 'direct', origin: one.edgeOrigin, host: directHost(one), pids: () => one.workerdPids() },
        { id: 'full1', origin: one.edgeOrigin, host: one.dispatchHost, pids: () => one.workerdPids() },
        { id: 'full2', origin: two.edgeOrigin, host: two.dispatchHost, pids: () => two.workerdPids() },
      ]
      await checkAnswers(targets)
      for (const t of targets) await load(t, 10, 500) // warm: JIT, isolates loaded, caches filled

      const results = Object.fromEntries(TARGET_IDS.map((id) => [id, perC()])) as Results
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
      return {
        figures: CONCURRENCY.flatMap((c) => figuresAt(results, c)),
        notes: [...notes(raw, rounds, durationMs, results), incidents(one, two)],
      }
    } finally {
      for (const stop of stops.reverse()) await stop()
    }
  },
}

const perC = (): Record<Concurrency, Measured[]> => ({ 1: [], 10: [], 50: [] })

async function startFullPath(edgeProcesses: number): Promise<BenchPlatform> {
  const p = await startBenchPlatform({ edgeProcesses })
  await p.uploadUserWorker('hello', helloWorker('hello'))
  // The same hello world as an account Worker: the platform's path with no dispatch Worker in it.
  await p.uploadAccountWorker('hello', helloWorker('hello'), [])
  return p
}

/** The account Worker `hello` on its default hostname (beside the dispatch Worker's). */
const directHost = (p: BenchPlatform): string => p.dispatchHost.replace(/^dispatcher\./, 'hello.')

async function load(t: Target, connections: number, durationMs: number): Promise<Measured> {
  const pids = t.pids().join(',')
  const server0 = cpuSeconds(t.pids())
  const node0 = ownCpuSeconds()
  const host = t.host ? { host: t.host } : {}
  const r = await runLoad({ origin: t.origin, ...host, connections, paths: ['/hello'] }, { durationMs })
  // CPU is read over the whole run (ramp and wind-down included), so divide by all its responses;
  // a process replaced meanwhile took its CPU time with it, and then there is no figure.
  const requests = Math.max(1, r.allResponses)
  const server = t.pids().join(',') === pids ? cpuSeconds(t.pids()) - server0 : Number.NaN
  return { ...r, serverCpuUs: (server / requests) * 1e6, nodeCpuUs: ((ownCpuSeconds() - node0) / requests) * 1e6 }
}

/** Every target must serve the same hello world, or the comparison means nothing. */
async function checkAnswers(targets: Target[]): Promise<void> {
  for (const t of targets) {
    const probe = new HttpProbe(t.origin, t.host)
    const res = await probe.get('/hello')
    await probe.close()
    if (res.status !== 200 || res.text !== 'Hello world from hello') {
      throw new Error(`${t.id} answered ${res.status} ${res.text}`)
    }
  }
}

function figuresAt(results: Results, c: Concurrency): Figure[] {
  const series = (id: TargetId, key: 'rps' | 'p50' | 'p99' | 'serverCpuUs' | 'nodeCpuUs') =>
    results[id][c].map((r) => r[key])
  const rps = (id: TargetId) => showSpread(spread(series(id, 'rps')), 'req/s')
  const ms = (id: TargetId, key: 'p50' | 'p99') => showSpread(spread(series(id, key)), 'ms')
  const us = (id: TargetId, key: 'serverCpuUs' | 'nodeCpuUs') => `${num(spread(series(id, key)).median, 0)} µs`
  const ratio = (a: TargetId, b: TargetId, key: 'rps' | 'p50' | 'serverCpuUs' = 'rps') =>
    spread(pairedRatios(series(a, key), series(b, key)))
  const info = (figure: string, measured: string, baseline: string, r: string): Figure =>
    ({ figure, measured, baseline, ratio: r, target: '', met: undefined })

  const target = TARGET_RATIO[c]
  const vsRaw = ratio('full1', 'raw')
  const out: Figure[] = [
    {
      figure: `full path req/s, ${c} conn (1 edge process)`,
      measured: rps('full1'),
      baseline: `raw workerd ${rps('raw')}`,
      ratio: showRatio(vsRaw),
      target: target === undefined ? '' : `≥ ${target} of raw`,
      met: target === undefined ? undefined : atLeast(vsRaw.median, target),
      data: { full1: series('full1', 'rps'), raw: series('raw', 'rps'), ratios: vsRaw.values },
    },
    info(`static two-Worker req/s, ${c} conn`, rps('static2'), 'raw workerd', showRatio(ratio('static2', 'raw'))),
    info(`full path vs static two-Worker, ${c} conn`, rps('full1'), `static two-Worker ${rps('static2')}`,
      showRatio(ratio('full1', 'static2'))),
    info(`full path p50 / p99, ${c} conn`, `${ms('full1', 'p50')} / ${ms('full1', 'p99')}`,
      `raw ${ms('raw', 'p50')} / ${ms('raw', 'p99')}; ` +
        `static two-Worker ${ms('static2', 'p50')} / ${ms('static2', 'p99')}`,
      showRatio(ratio('full1', 'raw', 'p50'))),
    info(`CPU per request, ${c} conn: workerd processes · bench Node process`,
      `${us('full1', 'serverCpuUs')} · ${us('full1', 'nodeCpuUs')}`,
      `raw ${us('raw', 'serverCpuUs')} · ${us('raw', 'nodeCpuUs')}; ` +
        `static two-Worker ${us('static2', 'serverCpuUs')} · ${us('static2', 'nodeCpuUs')}`,
      showRatio(ratio('full1', 'raw', 'serverCpuUs'))),
    cpuAgainstStatic(c, ratio('full1', 'static2', 'serverCpuUs'), us('full1', 'serverCpuUs'), us('static2', 'serverCpuUs')),
    info(`CPU per request, ${c} conn: the designs' floors (Worker Loader, no platform code)`,
      `full path's shape ${us('loadedDispatch', 'serverCpuUs')} · static dispatch Worker with its own loader ` +
        `${us('staticDispatchLoader', 'serverCpuUs')} · one loaded Worker ${us('loader', 'serverCpuUs')}`,
      `static two-Worker ${us('static2', 'serverCpuUs')}`,
      `${showRatio(ratio('loadedDispatch', 'static2', 'serverCpuUs'))} · ` +
        `${showRatio(ratio('staticDispatchLoader', 'static2', 'serverCpuUs'))} · ${showRatio(ratio('loader', 'static2', 'serverCpuUs'))}`),
    info(`CPU per request, ${c} conn: the platform over its shape's floor`,
      `full path ${us('full1', 'serverCpuUs')} · one account Worker, no dispatch ${us('direct', 'serverCpuUs')}`,
      `full path's shape ${us('loadedDispatch', 'serverCpuUs')} · one loaded Worker ${us('loader', 'serverCpuUs')}`,
      `${showRatio(ratio('full1', 'loadedDispatch', 'serverCpuUs'))} · ${showRatio(ratio('direct', 'loader', 'serverCpuUs'))}`),
  ]
  if (c === 1) {
    const added = spread(pairedDifferences(series('full1', 'p50'), series('raw', 'p50')))
    out.push({
      figure: 'p50 added over raw, 1 conn',
      measured: showSpread(added, 'ms'),
      baseline: `raw p50 ${ms('raw', 'p50')}`,
      ratio: '',
      target: '≤ 0.35 ms',
      met: atMost(added.median, 0.35),
      data: { added: added.values },
    })
  }
  out.push(info(`full path req/s, ${c} conn, default config (2 edge processes)`, rps('full2'),
    'raw workerd (1 process)', showRatio(ratio('full2', 'raw'))))
  if (c !== 1) {
    const scaling = ratio('full2', 'full1')
    out.push({
      figure: `2 edge processes vs 1, ${c} conn`,
      measured: rps('full2'),
      baseline: `1 process ${rps('full1')}`,
      ratio: showRatio(scaling),
      target: c === 50 ? '≥ 1.5×' : '',
      met: c === 50 ? atLeast(scaling.median, 1.5) : undefined,
      data: { ratios: scaling.values },
    })
  }
  return out
}

/** The issue-14 target: the full path's workerd CPU per request against the static two-Worker config. */
function cpuAgainstStatic(c: Concurrency, r: ReturnType<typeof spread>, full: string, static2: string): Figure {
  const targeted = c === 10
  return {
    figure: `full path CPU per request vs static two-Worker, ${c} conn`,
    measured: full,
    baseline: `static two-Worker ${static2}`,
    ratio: showRatio(r),
    target: targeted ? '≤ 1.5×' : '',
    met: targeted ? atMost(r.median, 1.5) : undefined,
    data: { ratios: r.values },
  }
}

function notes(raw: StaticWorkerd, rounds: number, durationMs: number, results: Results): string[] {
  const failures = Object.entries(results).flatMap(([id, byC]) =>
    Object.entries(byC as Record<string, Measured[]>).flatMap(([c, rs]) =>
      rs.filter((r) => r.errors + r.non2xx > 0).map((r) => `${id} c=${c}: ${r.errors} errors, ${r.non2xx} non-2xx`),
    ),
  )
  return [
    `${rounds} interleaved rounds × ${durationMs / 1000} s per target and concurrency; ` +
      'autocannon runs in the bench’s own Node process, on the same cores as the servers.',
    'full path = edge socket → host worker → account dispatch Worker → `env.dispatcher.get("hello").fetch(req)` → ' +
      'user Worker (Worker Loader), hello world. Target rows compare like with like: the platform with 1 edge ' +
      'process against raw workerd, 1 process; the default config (2 processes here) is shown separately.',
    `raw = \`workerd serve\` of a static config with the same hello-world module (pid ${raw.pid}); ` +
      'static two-Worker = a static dispatch Worker with a service binding to that user Worker.',
    'Floors, static workerd configs with the same hello world in the Worker Loader and no platform code: ' +
      '"one loaded Worker" = a Worker that forwards to it through `env.LOADER`; "full path\'s shape" = a host ' +
      'that loads the dispatch Worker, which names the user Worker in a header to the host\'s `ctx.exports` ' +
      'entrypoint, which loads it (workerd refuses to hand a loaded Worker\'s entrypoint to another loaded ' +
      'Worker, so the call must cross back through the host); "static dispatch Worker with its own loader" = a ' +
      'front with a service binding to a static dispatch Worker whose `get()` loads the user Worker in its own ' +
      'isolate (the shape issue 14 proposes). "one account Worker, no dispatch" = the platform serving the hello ' +
      'world as an account Worker on its workers.dev hostname (edge → host → loaded Worker).',
    'CPU per request: CPU time of the target’s process tree (/proc/<pid>/stat) over the run, divided by its ' +
      'responses. The bench Node process runs autocannon for every target and, for the platform, also its control ' +
      'plane (internal API, watchdog): the difference to the raw row is what the platform’s Node side spends ' +
      'per request.',
    failures.length
      ? `Failed requests: ${failures.join('; ')}.`
      : 'No failed or non-2xx requests in any measured window.',
  ]
}

/** Kills, restarts and containment during the runs: they change what a platform target measured. */
function incidents(...platforms: BenchPlatform[]): string {
  const parts = platforms.map((p) => {
    const { watchdog } = p.platform.edge
    const processes = p.platform.edge.processes()
    const restarts = processes.reduce((n, x) => n + x.restarts, 0)
    const entries = watchdog.containment.entries().map((e) => `${e.key.split('/').pop()} ${e.status}`)
    const edges = processes.filter((x) => x.role === 'edge').length
    return `${edges} edge process${edges > 1 ? 'es' : ''}: ${watchdog.kills} watchdog kills, ${restarts} restarts` +
      (entries.length ? `, containment: ${entries.join(', ')}` : '')
  })
  return `Platform incidents during the runs: ${parts.join('; ')}.`
}
