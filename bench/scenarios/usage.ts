import { runLoad } from '../lib/load.js'
import { cpuSeconds } from '../lib/proc.js'
import { startBenchPlatform, type BenchPlatform } from '../lib/platform.js'
import { atLeast, num, showRatio, type Figure } from '../lib/report.js'
import { pairedRatios, spread } from '../lib/stats.js'
import { helloWorker } from '../lib/workers.js'
import type { Scenario } from './scenario.js'

const CONNECTIONS = 10

/**
 * What usage metering costs on the full path (edge → dispatch Worker → user Worker): the same
 * hello-world load against a platform with metering on and one with it off (`usageMetering`),
 * in interleaved rounds; the target is at most 5 % fewer requests per second.
 */
export const usageScenario: Scenario = {
  id: 'usage',
  title: '8. Usage metering',
  async run(ctx) {
    const rounds = ctx.quick ? 3 : 7
    const windowMs = ctx.quick ? 3000 : 10_000
    const on = await startBenchPlatform({ usageMetering: true })
    let off: BenchPlatform | undefined
    try {
      off = await startBenchPlatform({ usageMetering: false })
      const paths: string[] = []
      for (let i = 0; i < 5; i++) paths.push(`/hello-${i}`)
      for (const p of [on, off]) {
        for (let i = 0; i < 5; i++) await p.uploadUserWorker(`hello-${i}`, helloWorker(`hello-${i}`))
        await runLoad({ origin: p.edgeOrigin, host: p.dispatchHost, connections: CONNECTIONS, paths }, { durationMs: 1000 })
      }
      const rpsOn: number[] = []
      const rpsOff: number[] = []
      const cpuOn: number[] = []
      const cpuOff: number[] = []
      for (let r = 0; r < rounds; r++) {
        // Alternate which goes first, so a machine that slows down mid-round hurts both alike.
        const order = r % 2 === 0 ? [on, off] : [off, on]
        for (const p of order) {
          const cpu0 = cpuSeconds(p.workerdPids())
          const result = await runLoad({ origin: p.edgeOrigin, host: p.dispatchHost, connections: CONNECTIONS, paths }, { durationMs: windowMs })
          ;(p === on ? rpsOn : rpsOff).push(result.rps)
          // workerd CPU per response (all threads, whole run): what metering costs, whatever else loads the machine.
          ;(p === on ? cpuOn : cpuOff).push(((cpuSeconds(p.workerdPids()) - cpu0) / Math.max(1, result.allResponses)) * 1e6)
        }
        ctx.log(`usage: round ${r + 1}: on ${num(rpsOn.at(-1)!)} req/s, off ${num(rpsOff.at(-1)!)} req/s`)
      }
      const ratio = spread(pairedRatios(rpsOn, rpsOff))
      const figures: Figure[] = [
        {
          figure: `full-path req/s with usage metering, ${CONNECTIONS} connections (hello world through the dispatch Worker)`,
          measured: `${num(spread(rpsOn).median)} req/s`,
          baseline: `${num(spread(rpsOff).median)} req/s (metering off)`,
          ratio: showRatio(ratio),
          target: '≥ 0.95×',
          met: atLeast(ratio.median, 0.95),
          data: { rpsOn, rpsOff },
        },
        {
          figure: 'workerd CPU per request with usage metering (all edge threads)',
          measured: `${num(spread(cpuOn).median, 0)} µs`,
          baseline: `${num(spread(cpuOff).median, 0)} µs (metering off)`,
          ratio: showRatio(spread(pairedRatios(cpuOn, cpuOff))),
          target: '≤ 1.05×',
          met: spread(pairedRatios(cpuOn, cpuOff)).median <= 1.05,
          data: { cpuOn, cpuOff },
        },
      ]
      return {
        figures,
        notes: [
          `Two platforms, one with \`usageMetering\` on (the default) and one off, each with 5 hello-world user Workers; ` +
            `${rounds} interleaved rounds of ${num(windowMs / 1000)} s at ${CONNECTIONS} connections. Ratio: median of per-round ratios (on/off).`,
          'Metering on adds per request: the CPU meter charging the invocation and reporting on the response (a copy of the response in the host), a few map updates, and one store transaction per flush interval per node.',
        ],
      }
    } finally {
      await off?.stop()
      await on.stop()
    }
  },
}
