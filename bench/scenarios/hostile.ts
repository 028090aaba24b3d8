import { HttpProbe, type ProbeResponse } from '../lib/http-probe.js'
import { runLoad, type LoadResult } from '../lib/load.js'
import { startBenchPlatform, type BenchPlatform } from '../lib/platform.js'
import { atLeast, atMost, num, percent, showSpread, type Figure } from '../lib/report.js'
import { spread } from '../lib/stats.js'
import { helloWorker, SPIN_WORKER } from '../lib/workers.js'
import type { Scenario } from './scenario.js'

const GOOD_TENANTS = 5
/** Requests per second from the good tenants' users: steady, well under saturation. */
const RATE = 400
const CONNECTIONS = 10
const SPIN_EVERY_MS = 500

type Phase = 'calm' | 'hostile'

/**
 * Good tenants under a steady load while one tenant's Worker loops forever on every request (one
 * such request every 500 ms), next to the same load without it; rounds alternate which phase goes
 * first, and every round has a new hostile tenant (the previous one is already contained).
 */
export const hostileScenario: Scenario = {
  id: 'hostile',
  title: '6. Hostile neighbour',
  async run(ctx) {
    const rounds = ctx.quick ? 2 : 3
    const durationMs = ctx.quick ? 4000 : 10_000
    const platform = await startBenchPlatform()
    try {
      const paths: string[] = []
      for (let i = 0; i < GOOD_TENANTS; i++) {
        await platform.uploadUserWorker(`good-${i}`, helloWorker(`good-${i}`))
        paths.push(`/good-${i}`)
      }
      for (let r = 0; r < rounds; r++) await platform.uploadUserWorker(`spin-${r}`, SPIN_WORKER)
      const target = { origin: platform.edgeOrigin, host: platform.dispatchHost }
      const load = (ms: number) =>
        runLoad({ ...target, connections: CONNECTIONS, paths, overallRate: RATE }, { durationMs: ms })
      await load(1000) // warm: every good tenant loaded in every edge process it reaches

      const results: Record<Phase, LoadResult[]> = { calm: [], hostile: [] }
      const spins: ProbeResponse[] = []
      for (let r = 0; r < rounds; r++) {
        const phases: Phase[] = r % 2 === 0 ? ['calm', 'hostile'] : ['hostile', 'calm']
        for (const phase of phases) {
          const spinner = phase === 'hostile' ? startSpinner(platform, `/spin-${r}`) : undefined
          const result = await load(durationMs)
          if (spinner) spins.push(...(await spinner.stop()))
          results[phase].push(result)
          ctx.log(`hostile ${r + 1}/${rounds} ${phase}: ${result.ok}/${result.attempts} ok, p99 ${num(result.p99)} ms`)
        }
      }
      return { figures: figures(results), notes: notes(platform, rounds, durationMs, spins) }
    } finally {
      await platform.stop()
    }
  },
}

/** Sends a request to the hostile Worker every SPIN_EVERY_MS until stopped; each on its own connection. */
function startSpinner(platform: BenchPlatform, path: string): { stop(): Promise<ProbeResponse[]> } {
  const pending: Array<Promise<ProbeResponse>> = []
  const fire = () => {
    const probe = new HttpProbe(platform.edgeOrigin, platform.dispatchHost, 10_000)
    pending.push(probe.get(path).finally(() => probe.close()))
  }
  fire()
  const timer = setInterval(fire, SPIN_EVERY_MS)
  return {
    async stop() {
      clearInterval(timer)
      return Promise.all(pending)
    },
  }
}

function notes(platform: BenchPlatform, rounds: number, durationMs: number, spins: ProbeResponse[]): string[] {
  const { watchdog } = platform.platform.edge
  // Keys are account/namespace/script: the script is what a reader needs, '(account)' marks account level.
  const entries = watchdog.containment.entries().map((e) => {
    const [, namespace, script] = e.key.split('/')
    return `${script}${namespace ? '' : ' (account)'} ${e.status} (${e.reason}, ${e.strikes} strikes)`
  })
  return [
    `${rounds} rounds × ${durationMs / 1000} s per phase; good tenants: ${GOOD_TENANTS} hello-world Workers at ` +
      `${RATE} req/s over ${CONNECTIONS} connections (autocannon). Hostile phase: a request to \`spin-<round>\` ` +
      `(\`while (true) {}\`) every ${SPIN_EVERY_MS} ms, each on its own connection.`,
    'Success = 2xx / (responses + connection errors + timeouts), timeout 10 s; p50 and p99 are of the 2xx ' +
      'responses. Containment outlives a phase: a tenant banned in a hostile phase stays refused in the calm ' +
      'phases after it. Watchdog defaults: probe every 100 ms, stuck after 250 ms.',
    `Watchdog kills over the scenario: ${watchdog.kills}. Containment at the end: ${entries.join('; ') || 'none'}.`,
    `Hostile requests (${spins.length}): ${summarize(spins)}.`,
  ]
}

function summarize(responses: ProbeResponse[]): string {
  const counts = new Map<string, number>()
  for (const r of responses) {
    const key = r.status === 0 ? `error (${r.text.slice(0, 40)})` : `${r.status}`
    counts.set(key, (counts.get(key) ?? 0) + 1)
  }
  const ms = spread(responses.map((r) => r.ms))
  const statuses = [...counts].map(([k, n]) => `${n}× ${k}`).join(', ')
  return `${statuses}; answered in ${num(ms.min)}–${num(ms.max)} ms (median ${num(ms.median)})`
}

function figures(results: Record<Phase, LoadResult[]>): Figure[] {
  const success = (rs: LoadResult[]) => rs.map((r) => r.ok / r.attempts)
  const hostileSuccess = spread(success(results.hostile))
  const calmSuccess = spread(success(results.calm))
  const p99 = (rs: LoadResult[]) => spread(rs.map((r) => r.p99))
  const p50 = (rs: LoadResult[]) => spread(rs.map((r) => r.p50))
  const worst = Math.min(...hostileSuccess.values)
  const worstP99 = Math.max(...results.hostile.map((r) => r.p99))
  const failed = (rs: LoadResult[]) => rs.reduce((n, r) => n + r.attempts - r.ok, 0)
  const total = (rs: LoadResult[]) => rs.reduce((n, r) => n + r.attempts, 0)
  return [
    {
      figure: 'good tenants’ success rate with a hostile neighbour',
      measured:
        `${percent(hostileSuccess.median, 3)} (worst round ${percent(worst, 3)}; ` +
        `${failed(results.hostile)} of ${total(results.hostile)} failed)`,
      baseline:
        `without it ${percent(calmSuccess.median, 3)} ` +
        `(${failed(results.calm)} of ${total(results.calm)} failed)`,
      ratio: '',
      target: '≥ 99.9 % (every round)',
      met: atLeast(worst, 0.999),
      data: { hostile: hostileSuccess.values, calm: calmSuccess.values },
    },
    {
      figure: 'good tenants’ p99 with a hostile neighbour',
      measured: `${showSpread(p99(results.hostile), 'ms')}`,
      baseline: `without it ${showSpread(p99(results.calm), 'ms')}`,
      ratio: `${num(p99(results.hostile).median / p99(results.calm).median, 2)}×`,
      target: '≤ 1 s (every round)',
      met: atMost(worstP99, 1000),
      data: { hostile: results.hostile.map((r) => r.p99), calm: results.calm.map((r) => r.p99) },
    },
    {
      figure: 'good tenants’ p50 with a hostile neighbour',
      measured: showSpread(p50(results.hostile), 'ms'),
      baseline: `without it ${showSpread(p50(results.calm), 'ms')}`,
      ratio: '',
      target: '',
      met: undefined,
    },
  ]
}
