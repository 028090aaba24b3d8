import { performance } from 'node:perf_hooks'
import { HttpProbe } from '../lib/http-probe.js'
import { startBenchPlatform } from '../lib/platform.js'
import { atMost, num, type Figure } from '../lib/report.js'
import { latencySummary } from '../lib/stats.js'
import { versionedWorker } from '../lib/workers.js'
import type { Scenario } from './scenario.js'

/** Polling stops here even if the new code never shows up (counted as a failure). */
const GIVE_UP_MS = 5000
const OTHER_CONNECTIONS = 4

/**
 * Time from sending an upload to the first edge response that runs the new code, polling the edge
 * back to back from the moment the upload call returns. The platform promises the very next
 * request sees the new version, so any stale answer after the call returned is counted too.
 */
export const deployScenario: Scenario = {
  id: 'deploy',
  title: '3. Deploy to live',
  async run(ctx) {
    const deploys = ctx.quick ? 20 : 100
    const platform = await startBenchPlatform()
    const edge = new HttpProbe(platform.edgeOrigin, platform.dispatchHost)
    // Kept-alive connections that the edge processes accepted independently: a deploy must be live
    // in every process, not only in the one the polling connection landed on.
    const others = Array.from({ length: OTHER_CONNECTIONS }, () => new HttpProbe(platform.edgeOrigin, platform.dispatchHost))
    try {
      await Promise.all(others.map((o) => o.get('/live')))
      await platform.uploadUserWorker('live', versionedWorker('v0'))
      const first = await edge.get('/live')
      if (first.text !== 'v0') throw new Error(`live Worker answered ${first.status} ${first.text}`)
      const toLive: number[] = []
      const uploadMs: number[] = []
      let stale = 0
      let staleElsewhere = 0
      let gaveUp = 0
      let errors = 0
      for (let k = 1; k <= deploys; k++) {
        const tag = `v${k}`
        const started = performance.now()
        const upload = await platform.uploadUserWorker('live', versionedWorker(tag))
        uploadMs.push(upload.ms)
        for (;;) {
          const res = await edge.get('/live')
          if (res.status === 200 && res.text === tag) {
            toLive.push(performance.now() - started)
            break
          }
          if (res.status === 200) stale++
          else errors++
          if (performance.now() - started > GIVE_UP_MS) {
            gaveUp++
            break
          }
        }
        for (const other of others) if ((await other.get('/live')).text !== tag) staleElsewhere++
      }
      ctx.log(`deploy: ${deploys} deploys, ${stale} stale answers`)
      const live = latencySummary(toLive)
      const up = latencySummary(uploadMs)
      const figures: Figure[] = [
        {
          figure: 'upload call → first edge response with the new code, p50',
          measured: `${num(live.p50)} ms (p99 ${num(live.p99)}, max ${num(live.max)})`,
          baseline: `upload call alone ${num(up.p50)} ms (p99 ${num(up.p99)})`,
          ratio: '',
          target: '≤ 50 ms',
          met: gaveUp === 0 && atMost(live.p50, 50),
          data: { toLive, uploadMs },
        },
        {
          figure: 'edge answers with the old code after the upload call returned',
          measured: `${stale} (polling connection) + ${staleElsewhere} (${OTHER_CONNECTIONS} other connections) over ${deploys} deploys`,
          baseline: '',
          ratio: '',
          target: '0 (next request sees it)',
          met: stale === 0 && staleElsewhere === 0 && gaveUp === 0,
        },
      ]
      return {
        figures,
        notes: [
          `${deploys} successive deploys of one namespace Worker through ${platform.uploadPaths.namespaceScripts === 'api' ? 'the v4 upload API' : 'store.publish + the edge notifier (upload route absent)'}; ` +
            'the time includes the upload call and the new version’s cold start on the first request. ' +
            `After each deploy went live, ${OTHER_CONNECTIONS} other kept-alive connections (accepted by whichever edge process took them) were asked once each.`,
          errors || gaveUp ? `Non-200 answers while polling: ${errors}; deploys never seen within ${GIVE_UP_MS} ms: ${gaveUp}.` : 'No failed request while polling.',
        ],
      }
    } finally {
      await edge.close()
      for (const other of others) await other.close()
      await platform.stop()
    }
  },
}
