import { performance } from 'node:perf_hooks'
import { HttpProbe } from '../lib/http-probe.js'
import { startBenchPlatform, type BenchPlatform } from '../lib/platform.js'
import { atMost, num, type Figure } from '../lib/report.js'
import { latencySummary } from '../lib/stats.js'
import { versionedWorker } from '../lib/workers.js'
import type { Scenario } from './scenario.js'

/** Polling stops here even if the new code never shows up (counted as a failure). */
const GIVE_UP_MS = 5000
/** Connections besides the polling one, each asked once after every deploy. */
const OTHER_CONNECTIONS = 4

interface Deploy {
  /** Upload sent → first response running the new code; undefined when it never came. */
  toLiveMs: number | undefined
  uploadMs: number
  /** Responses with the old code after the upload call returned, on the polling connection. */
  stale: number
  errors: number
}

/**
 * Time from sending an upload to the first edge response that runs the new code, polling the edge
 * back to back from the moment the upload call returns. The platform promises the very next
 * request sees the new version, so a stale answer after the call returned is counted, on the
 * polling connection and on other kept-alive connections (which other edge processes may hold).
 */
export const deployScenario: Scenario = {
  id: 'deploy',
  title: '3. Deploy to live',
  async run(ctx) {
    const count = ctx.quick ? 20 : 100
    const platform = await startBenchPlatform()
    const probe = () => new HttpProbe(platform.edgeOrigin, platform.dispatchHost)
    const edge = probe()
    const others = Array.from({ length: OTHER_CONNECTIONS }, probe)
    try {
      // Opened before the Worker exists: those processes must also drop the "no such Worker" they cached.
      await Promise.all(others.map((o) => o.get('/live')))
      await platform.uploadUserWorker('live', versionedWorker('v0'))
      const first = await edge.get('/live')
      if (first.text !== 'v0') throw new Error(`live Worker answered ${first.status} ${first.text}`)
      const deploys: Deploy[] = []
      let staleElsewhere = 0
      for (let k = 1; k <= count; k++) {
        deploys.push(await deployOnce(platform, edge, `v${k}`))
        for (const other of others) if ((await other.get('/live')).text !== `v${k}`) staleElsewhere++
      }
      const stale = deploys.reduce((n, d) => n + d.stale, 0)
      ctx.log(`deploy: ${count} deploys, ${stale} + ${staleElsewhere} stale answers`)
      return { figures: figures(deploys, staleElsewhere), notes: notes(platform, deploys) }
    } finally {
      await edge.close()
      for (const other of others) await other.close()
      await platform.stop()
    }
  },
}

async function deployOnce(platform: BenchPlatform, edge: HttpProbe, tag: string): Promise<Deploy> {
  const started = performance.now()
  const upload = await platform.uploadUserWorker('live', versionedWorker(tag))
  const out: Deploy = { toLiveMs: undefined, uploadMs: upload.ms, stale: 0, errors: 0 }
  while (performance.now() - started < GIVE_UP_MS) {
    const res = await edge.get('/live')
    if (res.status === 200 && res.text === tag) {
      out.toLiveMs = performance.now() - started
      break
    }
    if (res.status === 200) out.stale++
    else out.errors++
  }
  return out
}

function figures(deploys: Deploy[], staleElsewhere: number): Figure[] {
  const live = latencySummary(deploys.flatMap((d) => (d.toLiveMs === undefined ? [] : [d.toLiveMs])))
  const up = latencySummary(deploys.map((d) => d.uploadMs))
  const neverLive = deploys.filter((d) => d.toLiveMs === undefined).length
  const stale = deploys.reduce((n, d) => n + d.stale, 0)
  return [
    {
      figure: 'upload call → first edge response with the new code, p50',
      measured: `${num(live.p50)} ms (p99 ${num(live.p99)}, max ${num(live.max)})`,
      baseline: `upload call alone ${num(up.p50)} ms (p99 ${num(up.p99)})`,
      ratio: '',
      target: '≤ 50 ms',
      met: neverLive === 0 && atMost(live.p50, 50),
      data: { deploys },
    },
    {
      figure: 'edge answers with the old code after the upload call returned',
      measured: `${stale} (polling connection) + ${staleElsewhere} (${OTHER_CONNECTIONS} other connections) ` +
        `over ${deploys.length} deploys`,
      baseline: '',
      ratio: '',
      target: '0 (next request sees it)',
      met: stale === 0 && staleElsewhere === 0 && neverLive === 0,
    },
  ]
}

function notes(platform: BenchPlatform, deploys: Deploy[]): string[] {
  const via = platform.uploadPaths.namespaceScripts === 'api'
    ? 'the v4 upload API'
    : 'store.publish + the edge notifier (upload route absent)'
  const errors = deploys.reduce((n, d) => n + d.errors, 0)
  const neverLive = deploys.filter((d) => d.toLiveMs === undefined).length
  return [
    `${deploys.length} successive deploys of one namespace Worker through ${via}; the time includes the upload ` +
      'call and the new version’s cold start on the first request. After each deploy went live, ' +
      `${OTHER_CONNECTIONS} other kept-alive connections (accepted by whichever edge process took them) were ` +
      'asked once.',
    errors || neverLive
      ? `Non-200 answers while polling: ${errors}; deploys never seen within ${GIVE_UP_MS} ms: ${neverLive}.`
      : 'No failed request while polling.',
  ]
}
