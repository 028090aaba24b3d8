import { setTimeout as sleep } from 'node:timers/promises'
import { loadConfig } from '../../src/config/config.js'
import { startLoaderBaseline, startRawHello } from '../lib/baselines.js'
import { HttpProbe } from '../lib/http-probe.js'
import { runLoad } from '../lib/load.js'
import { startBenchPlatform, type BenchPlatform } from '../lib/platform.js'
import { MiB, totalRss } from '../lib/proc.js'
import { atMost, infoFigure as info, num, showRatio, type Figure } from '../lib/report.js'
import { spread } from '../lib/stats.js'
import { helloWorker } from '../lib/workers.js'
import type { Scenario } from './scenario.js'

/** Parallel first requests while loading Workers. */
const LOADERS = 8
/** Requests before the growth measurement starts, as a fraction of the measured ones. */
const WARM_UP_FRACTION = 20
/** Let allocators and GC settle before reading RSS. */
const SETTLE_MS = 1000
/** Stay this far under the per-process isolate cap, past which the platform recycles a process. */
const CAP_MARGIN = 0.8

interface Growth {
  before: number
  middle: number
  after: number
  requests: number
  failed: number
  pidsChanged: boolean
  /** Kills, recycles and restarts of the platform's processes meanwhile (empty for raw workerd). */
  incidents: string
}

interface Total {
  workers: number
  rss: number
  restarts: number
  failed: number
}

/**
 * Memory, each part on fresh processes: RSS growth per request on the full path (next to raw
 * workerd under the same requests); RSS per idle loaded Worker in one edge process (next to the
 * Worker Loader alone, also one process); total RSS of the default platform as more Workers load.
 * RSS is the sum of VmRSS over every workerd process of the platform (edge and probation).
 */
export const densityScenario: Scenario = {
  id: 'density',
  title: '5. Density and stability',
  async run(ctx) {
    const requests = ctx.quick ? 20_000 : 100_000
    const steps = ctx.quick ? [100, 500] : [100, 1000, 5000]
    const cap = loadConfig({}, {}).maxIsolatesPerProcess
    const idleCount = Math.min(ctx.quick ? 500 : 1000, Math.floor(cap * CAP_MARGIN))

    const fullGrowth = await withPlatform({}, async (p) => {
      await p.uploadUserWorker('hello', helloWorker('hello'))
      const target = { origin: p.edgeOrigin, host: p.dispatchHost }
      return growth(target, () => p.workerdPids(), requests, () => incidents(p))
    })
    const raw = await startRawHello()
    const rawGrowth = await growth({ origin: raw.origin }, () => [raw.pid], requests).finally(() => raw.stop())
    ctx.log(`density: growth over ${requests} requests (platform: ${fullGrowth.incidents})`)

    const idle = await withPlatform({ edgeProcesses: 1 }, (p) => idleRss(p, idleCount))
    const loaderPerWorker = await loaderIdleRss(idleCount)
    ctx.log(`density: ${num(idle.perWorker / MiB)} MB per idle Worker, loader alone ${num(loaderPerWorker / MiB)} MB`)

    const totals = await withPlatform({}, async (p) => {
      const { watchdog } = p.platform.edge
      const before = { kills: watchdog.kills, recycles: watchdog.recycles }
      const progress = (t: Total) => ctx.log(`density: ${t.workers} loaded, RSS ${num(t.rss / MiB)} MB`)
      const out = await loadInSteps(p, steps, progress)
      return { ...out, kills: watchdog.kills - before.kills, recycles: watchdog.recycles - before.recycles }
    })

    return {
      figures: figures({ idle, idleCount, loaderPerWorker, totals: totals.steps, fullGrowth, rawGrowth }),
      notes: [
        `RSS = sum of VmRSS (/proc/<pid>/status) over the process tree of every workerd process of the platform ` +
          `(edge and probation), ${SETTLE_MS / 1000} s after the last request.`,
        `Per idle Worker: a platform with 1 edge process, (RSS with ${idleCount} Workers loaded − RSS before) / ` +
          `${idleCount}; ${idleCount} stays under ${CAP_MARGIN} × maxIsolatesPerProcess (${cap}), past which the ` +
          'process is recycled. The loader baseline loads the same names inline in one static workerd.',
        'Loading: one distinct hello-world Worker per name, published straight into the store (uploads are not ' +
          `what this measures), loaded by its first request, ${LOADERS} at a time.`,
        `Totals: the default config (${totals.edges} edge processes); while loading ${totals.kills} watchdog kills, ` +
          `${totals.recycles} recycles. A recycled process comes back empty, so totals after a restart count fewer ` +
          'resident Workers than were loaded.',
        `Growth: ${requests.toLocaleString('en-US')} requests at 10 connections to one user Worker after ` +
          `${(requests / WARM_UP_FRACTION).toLocaleString('en-US')} warm-up requests, on the default config; the ` +
          `same on raw workerd. Platform meanwhile: ${fullGrowth.incidents}` +
          (fullGrowth.pidsChanged ? ' — a process was replaced mid-measurement: not a clean figure.' : '.'),
      ],
    }
  },
}

/** Runs `use` on a fresh platform and always stops it. */
async function withPlatform<T>(
  config: { edgeProcesses?: number },
  use: (p: BenchPlatform) => Promise<T>,
): Promise<T> {
  const platform = await startBenchPlatform(config)
  try {
    return await use(platform)
  } finally {
    await platform.stop()
  }
}

/** RSS before, halfway through and after `requests` requests to `/hello`, after a warm-up. */
async function growth(
  target: { origin: string; host?: string },
  pids: () => number[],
  requests: number,
  incidentsOf: () => string = () => '',
): Promise<Growth> {
  const opts = { ...target, connections: 10, paths: ['/hello'] }
  const maxMs = 300_000
  await runLoad(opts, { amount: requests / WARM_UP_FRACTION, maxMs })
  await sleep(SETTLE_MS)
  const pidsBefore = pids().join(',')
  const before = totalRss(pids())
  const first = await runLoad(opts, { amount: requests / 2, maxMs })
  const middle = totalRss(pids())
  const second = await runLoad(opts, { amount: requests / 2, maxMs })
  await sleep(SETTLE_MS)
  const after = totalRss(pids())
  return {
    before,
    middle,
    after,
    requests: first.attempts + second.attempts,
    failed: first.errors + first.non2xx + second.errors + second.non2xx,
    pidsChanged: pids().join(',') !== pidsBefore,
    incidents: incidentsOf(),
  }
}

function incidents(p: BenchPlatform): string {
  const { watchdog } = p.platform.edge
  return `${watchdog.kills} watchdog kills, ${watchdog.recycles} recycles, ${restartCount(p)} restarts`
}

async function idleRss(p: BenchPlatform, count: number): Promise<{ perWorker: number; restarts: number }> {
  const names = Array.from({ length: count }, (_, i) => `idle-${i}`)
  await p.seedUserWorkers(names, helloWorker)
  await loadWorkers(p.edgeOrigin, p.dispatchHost, ['warm-up-missing'])
  await sleep(SETTLE_MS)
  const before = totalRss(p.workerdPids())
  const restarts0 = restartCount(p)
  await loadWorkers(p.edgeOrigin, p.dispatchHost, names)
  await sleep(SETTLE_MS)
  return { perWorker: (totalRss(p.workerdPids()) - before) / count, restarts: restartCount(p) - restarts0 }
}

async function loaderIdleRss(count: number): Promise<number> {
  const loader = await startLoaderBaseline()
  try {
    await loadWorkers(loader.origin, undefined, ['warm-up'])
    await sleep(SETTLE_MS)
    const before = totalRss([loader.pid])
    await loadWorkers(loader.origin, undefined, Array.from({ length: count }, (_, i) => `idle-${i}`))
    await sleep(SETTLE_MS)
    return (totalRss([loader.pid]) - before) / count
  } finally {
    await loader.stop()
  }
}

async function loadInSteps(
  p: BenchPlatform,
  steps: number[],
  progress: (t: Total) => void,
): Promise<{ steps: Total[]; edges: number }> {
  const names = Array.from({ length: steps.at(-1)! }, (_, i) => `d-${i}`)
  await p.seedUserWorkers(names, helloWorker)
  const restarts0 = restartCount(p)
  const out: Total[] = []
  let loaded = 0
  for (const step of steps) {
    const failed = await loadWorkers(p.edgeOrigin, p.dispatchHost, names.slice(loaded, step))
    loaded = step
    await sleep(SETTLE_MS)
    out.push({ workers: step, rss: totalRss(p.workerdPids()), restarts: restartCount(p) - restarts0, failed })
    progress(out.at(-1)!)
  }
  return { steps: out, edges: p.platform.edge.processes().filter((x) => x.role === 'edge').length }
}

/** First request to each name, LOADERS at a time; returns how many did not answer 200. */
async function loadWorkers(origin: string, host: string | undefined, names: string[]): Promise<number> {
  let next = 0
  let failed = 0
  await Promise.all(
    Array.from({ length: Math.min(LOADERS, names.length) }, async () => {
      const probe = new HttpProbe(origin, host)
      try {
        while (next < names.length) {
          const res = await probe.get(`/${names[next++]}`)
          if (res.status !== 200) failed++
        }
      } finally {
        await probe.close()
      }
    }),
  )
  return failed
}

const restartCount = (p: BenchPlatform): number => p.platform.edge.processes().reduce((n, x) => n + x.restarts, 0)

function figures(m: {
  idle: { perWorker: number; restarts: number }
  idleCount: number
  loaderPerWorker: number
  totals: Total[]
  fullGrowth: Growth
  rawGrowth: Growth
}): Figure[] {
  const perRequest = (g: Growth) => (g.after - g.before) / g.requests
  const secondHalf = (g: Growth) => (g.after - g.middle) / (g.requests / 2)
  const kb = (bytes: number) => `${num(bytes / 1024)} KB`
  const mb = (bytes: number) => `${num(bytes / MiB)} MB`
  const { fullGrowth: full, rawGrowth: raw } = m
  return [
    {
      figure: `RSS per idle loaded Worker (${m.idleCount} loaded, 1 edge process)`,
      measured: mb(m.idle.perWorker) + (m.idle.restarts ? ` (after ${m.idle.restarts} restarts)` : ''),
      baseline: `Worker Loader alone ${mb(m.loaderPerWorker)}`,
      ratio: showRatio(spread([m.idle.perWorker / m.loaderPerWorker])),
      target: '≤ 2 MB',
      met: m.idle.restarts === 0 && atMost(m.idle.perWorker / MiB, 2),
    },
    ...m.totals.map((t) =>
      info(
        `total RSS, ${t.workers.toLocaleString('en-US')} Workers loaded (default config)`,
        mb(t.rss) +
          (t.restarts ? ` (after ${t.restarts} process restarts)` : '') +
          (t.failed ? `, ${t.failed} failed loads` : ''),
        { ...t },
      ),
    ),
    {
      figure: `RSS growth per request, full path (${full.requests.toLocaleString('en-US')} requests)`,
      measured:
        `${kb(perRequest(full))}/request (2nd half ${kb(secondHalf(full))}); ` +
        `${mb(full.before)} → ${mb(full.after)}` +
        (full.failed ? `; ${full.failed} failed requests` : ''),
      baseline:
        `raw ${kb(perRequest(raw))}/request (2nd half ${kb(secondHalf(raw))}); ` +
        `${mb(raw.before)} → ${mb(raw.after)}`,
      ratio: '',
      target: '< 1 KB/request',
      met: !full.pidsChanged && full.failed === 0 && perRequest(full) < 1024,
      data: { full: { ...full }, raw: { ...raw } },
    },
  ]
}
