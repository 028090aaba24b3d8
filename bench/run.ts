// `npm run bench [-- --quick] [-- --only=dispatch,cold-start]`: Workerhive measured side by side
// with raw workerd and its other baselines; prints a table per scenario and writes bench/results/.
import { mkdirSync, writeFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { performance } from 'node:perf_hooks'
import { pathToFileURL } from 'node:url'
import { describeMachine } from './lib/machine.js'
import { reportMarkdown, scenarioMarkdown, type RunInfo, type ScenarioReport } from './lib/report.js'
import { coldStartScenario } from './scenarios/cold-start.js'
import { controlPlaneScenario } from './scenarios/control-plane.js'
import { kvScenario } from './scenarios/kv.js'
import { densityScenario } from './scenarios/density.js'
import { deployScenario } from './scenarios/deploy.js'
import { dispatchScenario } from './scenarios/dispatch.js'
import { hostileScenario } from './scenarios/hostile.js'
import { httpsScenario } from './scenarios/https.js'
import { r2Scenario } from './scenarios/r2.js'
import { queuesScenario } from './scenarios/queues.js'
import { watchdogScenario } from './scenarios/watchdog.js'
import { usageScenario } from './scenarios/usage.js'
import { durableObjectsScenario } from './scenarios/durable-objects.js'
import { d1Scenario } from './scenarios/d1.js'
import type { BenchContext, Scenario } from './scenarios/scenario.js'

const SCENARIOS: Scenario[] = [
  dispatchScenario,
  coldStartScenario,
  deployScenario,
  controlPlaneScenario,
  kvScenario,
  densityScenario,
  hostileScenario,
  watchdogScenario,
  usageScenario,
  httpsScenario,
  durableObjectsScenario,
  d1Scenario,
  r2Scenario,
  queuesScenario,
]

// Relative to the working directory, which `npm run` sets to the package root.
const RESULTS_DIR = new URL('bench/results/', pathToFileURL(`${process.cwd()}/`))

async function main(): Promise<void> {
  const args = process.argv.slice(2)
  const quick = args.includes('--quick')
  const only = args.find((a) => a.startsWith('--only='))?.slice('--only='.length).split(',')
  const unknown = only?.filter((id) => !SCENARIOS.some((s) => s.id === id)) ?? []
  if (unknown.length) {
    throw new Error(`unknown scenario ${unknown.join(', ')}: pick from ${SCENARIOS.map((s) => s.id).join(', ')}`)
  }
  const selected = SCENARIOS.filter((s) => !only || only.includes(s.id))
  const started = performance.now()
  const elapsed = () => `${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s`
  const ctx: BenchContext = { quick, log: (message) => process.stderr.write(`[bench ${elapsed()}] ${message}\n`) }
  const reports: ScenarioReport[] = []
  for (const scenario of selected) {
    ctx.log(`${scenario.title}…`)
    const t0 = performance.now()
    const loadBefore = loadavg()[0]!
    let report: ScenarioReport
    try {
      report = { id: scenario.id, title: scenario.title, ...(await scenario.run(ctx)) }
    } catch (err) {
      // One broken scenario must not hide the others' figures; its failure is reported as such.
      ctx.log(`${scenario.id} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`)
      report = {
        id: scenario.id,
        title: scenario.title,
        figures: [{ figure: 'scenario', measured: 'failed', baseline: '', ratio: '', target: 'runs', met: false }],
        notes: [`Failed: ${err instanceof Error ? err.message : String(err)}`],
      }
    }
    report.seconds = (performance.now() - t0) / 1000
    report.loadAverage = { before: loadBefore, after: loadavg()[0]! }
    reports.push(report)
    process.stdout.write(`\n${scenarioMarkdown(report)}\n`)
  }
  const info: RunInfo = {
    date: new Date().toISOString(),
    mode: quick ? 'quick' : 'full',
    ...describeMachine(),
    seconds: (performance.now() - started) / 1000,
  }
  write(info, reports, only !== undefined)
}

/** latest.{md,json} and a dated copy; a partial run (`--only`) writes only the dated copy. */
function write(info: RunInfo, reports: ScenarioReport[], partial: boolean): void {
  mkdirSync(RESULTS_DIR, { recursive: true })
  const markdown = reportMarkdown(info, reports)
  const json = JSON.stringify({ ...info, partial, scenarios: reports }, null, 2)
  const stamp = `${info.date.slice(0, 19).replace(/:/g, '-')}-${info.mode}${partial ? '-partial' : ''}`
  const names = partial ? [stamp] : ['latest', stamp]
  for (const name of names) {
    writeFileSync(new URL(`${name}.md`, RESULTS_DIR), markdown)
    writeFileSync(new URL(`${name}.json`, RESULTS_DIR), json + '\n')
  }
  process.stderr.write(`[bench] wrote ${names.map((n) => `bench/results/${n}.{md,json}`).join(' and ')}\n`)
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`)
    process.exit(1)
  },
)
