import { setTimeout as sleep } from 'node:timers/promises'
import { startLoaderBaseline, startRawHello } from '../lib/baselines.js'
import { HttpProbe } from '../lib/http-probe.js'
import { runLoad } from '../lib/load.js'
import { startBenchPlatform, type BenchPlatform } from '../lib/platform.js'
import { atMost, num, showRatio, type Figure } from '../lib/report.js'
import { MiB, totalRss } from '../lib/proc.js'
import { spread } from '../lib/stats.js'
import { helloWorker } from '../lib/workers.js'
import type { BenchContext, Scenario } from './scenario.js'

/** Parallel first requests while loading Workers, so both edge processes take a share. */
const LOADERS = 8
/** Requests before the growth measurement starts, as a fraction of the measured ones. */
const WARM_UP_FRACTION = 20
/** Let allocators and GC settle before reading RSS. */
const SETTLE_MS = 1000

interface Growth {
  before: number
  middle: number
  after: number
  requests: number
  failed: number
  pidsChanged: boolean
}

/**
 * Memory: RSS growth per request on the full path (next to raw workerd under the same load), RSS
 * per idle loaded Worker (next to the Worker Loader alone), and total RSS as more Workers are
 * loaded. RSS is the sum of VmRSS over every workerd process of the platform (edge + probation).
 */
export const densityScenario: Scenario = {
  id: 'density',
  title: '5. Density and stability',
  async run(ctx) {
    const requests = ctx.quick ? 20_000 : 100_000
    const steps = ctx.quick ? [100, 500] : [100, 1000, 5000]
    const idleAt = steps[1]!
    const platform = await startBenchPlatform()
    try {
      await platform.uploadUserWorker('hello', helloWorker('hello'))
      const raw = await startRawHello()
      const { watchdog } = platform.platform.edge
      let rawGrowth: Growth
      let fullGrowth: Growth
      try {
        fullGrowth = await growth(platform.edgeOrigin, platform.dispatchHost, () => platform.workerdPids(), requests)
        rawGrowth = await growth(raw.origin, undefined, () => [raw.pid], requests)
      } finally {
        await raw.stop()
      }
      const growthIncidents = `${watchdog.kills} watchdog kills, ${watchdog.recycles} recycles, ${restarts(platform)} restarts`
      ctx.log(`density: growth measured over ${requests} requests (${growthIncidents})`)

      const names = Array.from({ length: steps.at(-1)! }, (_, i) => `d-${i}`)
      await platform.seedUserWorkers(names, helloWorker)
      ctx.log(`density: ${names.length} Workers published`)
      const restartsBefore = restarts(platform)
      const killsBefore = watchdog.kills
      const recyclesBefore = watchdog.recycles
      await sleep(SETTLE_MS)
      const idle0 = totalRss(platform.workerdPids())
      const totals: Array<{ workers: number; rss: number; restarts: number; failed: number }> = []
      let loaded = 0
      for (const step of steps) {
        const failed = await loadWorkers(platform.edgeOrigin, platform.dispatchHost, 'd-', loaded, step)
        loaded = step
        await sleep(SETTLE_MS)
        totals.push({ workers: step, rss: totalRss(platform.workerdPids()), restarts: restarts(platform) - restartsBefore, failed })
        ctx.log(`density: ${step} Workers loaded, RSS ${num(totals.at(-1)!.rss / MiB)} MiB`)
      }
      const kills = watchdog.kills - killsBefore
      const recycles = watchdog.recycles - recyclesBefore

      const loader = await startLoaderBaseline()
      let loaderPerWorker: number
      try {
        await loadWorkers(loader.origin, undefined, 'warm-up-', 0, 1)
        await sleep(SETTLE_MS)
        const before = totalRss([loader.pid])
        await loadWorkers(loader.origin, undefined, 'idle-', 0, idleAt)
        await sleep(SETTLE_MS)
        loaderPerWorker = (totalRss([loader.pid]) - before) / idleAt
      } finally {
        await loader.stop()
      }

      const atIdle = totals.find((t) => t.workers === idleAt)!
      const perWorker = (atIdle.rss - idle0) / idleAt
      return {
        figures: figures({ perWorker, loaderPerWorker, idleAt, atIdle, idle0, totals, fullGrowth, rawGrowth }),
        notes: [
          `RSS = sum of VmRSS (/proc/<pid>/status) of every workerd process of the platform (${platform.workerdPids().length}: edge + probation), ${SETTLE_MS / 1000} s after the last request.`,
          `Loading: one distinct hello-world Worker per name, published straight into the store (uploads are not what this measures), loaded by its first request (${LOADERS} in parallel). ` +
            `Per idle Worker = (RSS with ${idleAt} loaded − RSS before) / ${idleAt}; the loader baseline loads the same ${idleAt} names inline in one static workerd.`,
          `Growth: ${requests.toLocaleString('en-US')} requests at 10 connections to one user Worker after ${(requests / WARM_UP_FRACTION).toLocaleString('en-US')} warm-up requests; the same on raw workerd.` +
            ` Platform during the growth runs: ${growthIncidents}` +
            (fullGrowth.pidsChanged ? ': a process was replaced mid-measurement, so the full-path figure is not a clean one.' : '.'),
          kills || recycles || totals.some((t) => t.restarts)
            ? `While loading: ${kills} watchdog kills, ${recycles} recycles, ${totals.at(-1)!.restarts} process restarts (the watchdog recycles a process past maxIsolatesPerProcess or 3/4 of its RSS budget); ` +
              'Workers loaded in a process before it restarted are no longer resident, so totals after a restart undercount.'
            : 'No process was killed or restarted while loading.',
        ],
      }
    } finally {
      await platform.stop()
    }
  },
}

async function growth(origin: string, host: string | undefined, pids: () => number[], requests: number): Promise<Growth> {
  const opts = { origin, ...(host ? { host } : {}), connections: 10, paths: ['/hello'] }
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
  }
}

/** First request to Workers prefix+from … prefix+(to−1), LOADERS at a time; returns the failures. */
async function loadWorkers(origin: string, host: string | undefined, prefix: string, from: number, to: number): Promise<number> {
  let next = from
  let failed = 0
  await Promise.all(
    Array.from({ length: LOADERS }, async () => {
      const probe = new HttpProbe(origin, host)
      try {
        while (next < to) {
          const res = await probe.get(`/${prefix}${next++}`)
          if (res.status !== 200) failed++
        }
      } finally {
        await probe.close()
      }
    }),
  )
  return failed
}

const restarts = (p: BenchPlatform): number => p.platform.edge.processes().reduce((n, x) => n + x.restarts, 0)

function figures(m: {
  perWorker: number
  loaderPerWorker: number
  idleAt: number
  atIdle: { restarts: number }
  idle0: number
  totals: Array<{ workers: number; rss: number; restarts: number; failed: number }>
  fullGrowth: Growth
  rawGrowth: Growth
}): Figure[] {
  const perRequest = (g: Growth) => (g.after - g.before) / g.requests
  const secondHalf = (g: Growth) => (g.after - g.middle) / (g.requests / 2)
  const kb = (bytes: number) => `${num(bytes / 1024)} KB`
  return [
    {
      figure: `RSS per idle loaded Worker (${m.idleAt} loaded)`,
      measured: `${num(m.perWorker / MiB)} MB`,
      baseline: `Worker Loader alone ${num(m.loaderPerWorker / MiB)} MB`,
      ratio: showRatio(spread([m.perWorker / m.loaderPerWorker])),
      target: '≤ 2 MB',
      met: m.atIdle.restarts === 0 && atMost(m.perWorker / MiB, 2),
    },
    {
      figure: 'total RSS, 0 user Workers loaded',
      measured: `${num(m.idle0 / MiB)} MB`,
      baseline: '',
      ratio: '',
      target: '',
      met: undefined,
    },
    ...m.totals.map(
      (t): Figure => ({
        figure: `total RSS, ${t.workers.toLocaleString('en-US')} Workers loaded`,
        measured: `${num(t.rss / MiB)} MB` + (t.restarts ? ` (after ${t.restarts} process restarts)` : '') + (t.failed ? `, ${t.failed} failed loads` : ''),
        baseline: '',
        ratio: '',
        target: '',
        met: undefined,
        data: t,
      }),
    ),
    {
      figure: `RSS growth per request, full path (${m.fullGrowth.requests.toLocaleString('en-US')} requests)`,
      measured: `${kb(perRequest(m.fullGrowth))}/request (2nd half ${kb(secondHalf(m.fullGrowth))}); ${num(m.fullGrowth.before / MiB)} → ${num(m.fullGrowth.after / MiB)} MB`,
      baseline: `raw ${kb(perRequest(m.rawGrowth))}/request; ${num(m.rawGrowth.before / MiB)} → ${num(m.rawGrowth.after / MiB)} MB`,
      ratio: '',
      target: '< 1 KB/request',
      met: !m.fullGrowth.pidsChanged && m.fullGrowth.failed === 0 && perRequest(m.fullGrowth) < 1024,
      data: { full: m.fullGrowth, raw: m.rawGrowth },
    },
  ]
}
