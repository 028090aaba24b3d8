// Runs every compiled test file, each in its own Node process, a few at a time. Node 20 does not
// expand globs, so the files are listed here. `npm test -- unit` (or any substring) runs the
// matching files only.
//
// The longest files start first (their durations of a previous run are in test/durations.json), so
// the workers finish together instead of one long file starting last and running alone. Each
// file's output is printed whole when it ends, with its duration; the slowest files are listed at
// the end. `--record` writes the measured durations back to test/durations.json (after a full run).
// WORKERHIVE_TEST_CONCURRENCY sets how many files run at once (2 by default).
import { spawn } from 'node:child_process'
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

const root = 'dist/test'
const durationsFile = 'test/durations.json'
/** What a file not yet in test/durations.json is taken to need: about a file with one platform. */
const UNKNOWN_SECONDS = 10

const walk = (dir) =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.test.js') ? [join(dir, e.name)] : [],
  )
const args = process.argv.slice(2)
const record = args.includes('--record')
const filters = args.filter((a) => a !== '--record')
const concurrency = Number(process.env.WORKERHIVE_TEST_CONCURRENCY ?? 2)
if (!Number.isInteger(concurrency) || concurrency < 1) {
  console.error(`WORKERHIVE_TEST_CONCURRENCY must be a whole number of at least 1, not "${process.env.WORKERHIVE_TEST_CONCURRENCY}"`)
  process.exit(2)
}

/** test/durations.json names the sources (test/…/x.test.ts), which outlive a build directory's layout. */
const sourceOf = (file) => `test/${file.slice(root.length + 1).replace(/\.js$/, '.ts')}`
const known = readDurations()
const files = walk(root)
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort()
  .sort((a, b) => expected(b) - expected(a))
if (files.length === 0) {
  console.error(`no test files matched ${filters.join(' ')}`)
  process.exit(1)
}

const started = Date.now()
const results = []
let next = 0
await Promise.all(Array.from({ length: Math.min(concurrency, files.length) }, worker))
report()

async function worker() {
  while (next < files.length) {
    const file = files[next++]
    const result = await runFile(file)
    results.push(result)
    const verdict = result.code === 0 ? 'ok' : result.signal ? `killed by ${result.signal}` : `FAILED (exit ${result.code})`
    process.stdout.write(`\n# ${sourceOf(file)}: ${verdict} in ${seconds(result.ms)} s\n${result.output}`)
  }
}

/** One file in a Node process of its own, with the spec reporter; its output is kept until it ends. */
function runFile(file) {
  return new Promise((done) => {
    const t0 = Date.now()
    // The environment is the runner's own, untouched: tests pass it on to the processes they start.
    const child = spawn(process.execPath, ['--test-reporter=spec', file], { stdio: ['ignore', 'pipe', 'pipe'] })
    const chunks = []
    child.stdout.on('data', (c) => chunks.push(c))
    child.stderr.on('data', (c) => chunks.push(c))
    child.on('close', (code, signal) =>
      done({ file, code, signal, ms: Date.now() - t0, output: Buffer.concat(chunks).toString('utf8') }),
    )
  })
}

function report() {
  const failed = results.filter((r) => r.code !== 0)
  const slowest = [...results].sort((a, b) => b.ms - a.ms).slice(0, 10)
  const sum = results.reduce((n, r) => n + r.ms, 0)
  console.log(`\n# slowest files:`)
  for (const r of slowest) console.log(`#   ${seconds(r.ms).padStart(6)} s  ${sourceOf(r.file)}`)
  console.log(
    `# ${results.length} files in ${seconds(Date.now() - started)} s (${seconds(sum)} s summed over files, ${concurrency} at a time)`,
  )
  if (failed.length > 0) {
    console.log(`# ${failed.length} failed:`)
    for (const r of failed) console.log(`#   ${sourceOf(r.file)}`)
  } else {
    console.log('# all passed')
  }
  if (record) writeDurations()
  process.exitCode = failed.length > 0 ? 1 : 0
}

function readDurations() {
  try {
    return JSON.parse(readFileSync(durationsFile, 'utf8'))
  } catch {
    return {}
  }
}

function expected(file) {
  return known[sourceOf(file)] ?? UNKNOWN_SECONDS
}

/**
 * After a run of some files, keeps the others' durations; after a full run, only the files that
 * exist. Whole seconds are all the order needs.
 */
function writeDurations() {
  const merged = filters.length > 0 ? { ...known } : {}
  for (const r of results) merged[sourceOf(r.file)] = Math.max(1, Math.round(r.ms / 1000))
  const sorted = Object.fromEntries(Object.entries(merged).sort(([a], [b]) => a.localeCompare(b)))
  writeFileSync(durationsFile, JSON.stringify(sorted, null, 2) + '\n')
  console.log(`# durations written to ${durationsFile}`)
}

function seconds(ms) {
  return (ms / 1000).toFixed(1)
}
