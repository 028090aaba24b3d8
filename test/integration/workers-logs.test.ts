import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { after, before, describe, it } from 'node:test'
import { BIN, runCli } from '../helpers/cli.js'
import { accountScriptPath, defaultHost, edge, putScript } from '../helpers/edge.js'
import { ManualClock } from '../helpers/manual-clock.js'
import { jsonBody, startTestPlatform, type TestPlatform } from '../helpers/platform.js'
import { eventually } from '../helpers/eventually.js'

const DAY = 86_400_000
const traced = { observability: { enabled: true } }
const CHATTY = `export default { fetch(req) { console.log('hello from', new URL(req.url).pathname); return new Response('chatty') } }`
const THROWER = `function deep() { throw new Error('boom in deep') }
export default { fetch() { console.log('about to throw'); deep() } }`

interface TelemetryEvent {
  timestamp: number
  source: { outcome: string; logs: Array<{ message: unknown[] }>; exceptions: Array<{ name: string; message: string; stack?: string }> }
  $metadata: { id: string; service: string; requestId?: string; level: string; message?: string; error?: string; duration: number }
  $workers: { scriptName: string; outcome: string; eventType: string }
}

async function query(t: TestPlatform, body: Record<string, unknown>): Promise<{ status: number; body: any }> {
  return t.json(`/accounts/${t.accountId}/workers/observability/telemetry/query`, { method: 'POST', ...jsonBody({ queryId: 'test', view: 'events', ...body }) })
}

const eventsOf = async (t: TestPlatform, script: string, extra: Record<string, unknown> = {}, timeframe = { from: 0, to: Date.now() + 30 * DAY }) => {
  const res = await query(t, { timeframe, parameters: { filters: [{ key: '$workers.scriptName', operation: 'eq', type: 'string', value: script }], ...extra } })
  assert.equal(res.status, 200, JSON.stringify(res.body))
  return res.body.result.events.events as TelemetryEvent[]
}

const cliEnv = (t: TestPlatform) => ({ CLOUDFLARE_API_BASE_URL: t.platform.apiUrl, CLOUDFLARE_API_TOKEN: t.token, CLOUDFLARE_ACCOUNT_ID: t.accountId })

describe('Workers Logs: stored events, the query API and workerhive logs', () => {
  let first: TestPlatform
  let second: TestPlatform | undefined

  before(async () => {
    first = await startTestPlatform()
    await putScript(first, accountScriptPath(first, 'chatty'), CHATTY, traced)
    await putScript(first, accountScriptPath(first, 'thrower'), THROWER, traced)
    await putScript(first, accountScriptPath(first, 'plain'), CHATTY)
  })
  after(async () => {
    await second?.close()
    await first.close()
  })

  it('answers the query API with events filtered by script, time range and text, and keeps them across a restart', async () => {
    const host = await defaultHost(first, 'chatty')
    const start = Date.now()
    // Without observability and at the default sample rate of 0, an invocation leaves no event.
    assert.equal((await edge(first, await defaultHost(first, 'plain'), '/unsampled')).text, 'chatty')
    for (const path of ['/alpha', '/beta']) assert.equal((await edge(first, host, path)).text, 'chatty')
    assert.equal((await edge(first, await defaultHost(first, 'thrower'), '/')).status, 500)
    const chatty = await eventually(() => eventsOf(first, 'chatty'), (e) => e.length === 2)
    assert.deepEqual(chatty.map((e) => e.source.logs[0]?.message), [['hello from', '/beta'], ['hello from', '/alpha']], 'newest first')
    for (const e of chatty) {
      assert.equal(e.$metadata.service, 'chatty')
      assert.equal(e.$workers.outcome, 'ok')
      assert.equal(e.$workers.eventType, 'fetch')
      assert.match(e.$metadata.requestId ?? '', /^[0-9a-f]{16}$/, 'the ray id is the request id')
      assert.ok(e.timestamp >= start)
      assert.ok(e.$metadata.duration >= 0)
    }
    assert.deepEqual((await eventsOf(first, 'chatty', { needle: { value: 'BETA' } })).map((e) => e.$metadata.id), [chatty[0]?.$metadata.id])
    assert.deepEqual(await eventsOf(first, 'chatty', {}, { from: 0, to: start - 1 }), [], 'nothing before the requests')
    assert.deepEqual(await eventsOf(first, 'plain'), [], 'a script without observability is not sampled at rate 0')

    const [thrown] = await eventually(() => eventsOf(first, 'thrower'), (e) => e.length === 1)
    assert.equal(thrown?.$workers.outcome, 'exception')
    assert.equal(thrown?.$metadata.level, 'error')
    assert.equal(thrown?.$metadata.error, 'Error: boom in deep')
    assert.deepEqual(thrown?.source.logs.map((l) => l.message), [['about to throw']], 'the console lines ride with the exception')
    assert.match(thrown?.source.exceptions[0]?.stack ?? '', /deep[\s\S]*fetch/, 'the whole stack in one record')

    // Refused by name, not answered wider than asked.
    assert.equal((await query(first, { timeframe: { from: 0, to: 1 }, view: 'calculations' })).status, 400)
    assert.equal((await query(first, { view: 'events' })).status, 400)

    await first.platform.stop()
    second = await startTestPlatform({ dataDir: first.dataDir })
    const kept = await eventsOf(second, 'chatty')
    assert.deepEqual(kept.map((e) => e.$metadata.id), chatty.map((e) => e.$metadata.id))
  })

  it('workerhive logs --since prints stored events, and --follow prints one that comes after it started', async () => {
    const t = second ?? first
    const printed = await runCli(['logs', 'chatty', '--since', '1h'], { env: cliEnv(t) })
    assert.equal(printed.code, 0, printed.stderr)
    assert.match(printed.stdout, /\[log\] hello from \/alpha[\s\S]*\[log\] hello from \/beta/, 'oldest first')
    const bad = await runCli(['logs', 'chatty', '--since', 'yesterday-ish'], { env: cliEnv(t) })
    assert.equal(bad.code, 2)

    const child = spawn(process.execPath, [BIN, 'logs', 'chatty', '--since', '1h', '--follow'], { env: { PATH: process.env.PATH, ...cliEnv(t) } })
    try {
      const lines = createInterface({ input: child.stdout })
      const waitFor = (text: string) => new Promise<string>((resolve) => lines.on('line', (line) => line.includes(text) && resolve(line)))
      const seen = waitFor('hello from /followed')
      // Once it printed the stored events, its first query is done: a request now comes after it.
      await waitFor('hello from /beta')
      assert.equal((await edge(t, await defaultHost(t, 'chatty'), '/followed')).text, 'chatty')
      assert.match(await seen, /hello from \/followed/)
    } finally {
      child.kill('SIGINT')
      await new Promise((r) => child.once('exit', r))
    }
  })
})

describe('Workers Logs sampling', () => {
  it('stores the events of a script without observability at sample rate 1', async () => {
    const t = await startTestPlatform({ logSampleRate: 1 })
    try {
      await putScript(t, accountScriptPath(t, 'plain'), CHATTY)
      assert.equal((await edge(t, await defaultHost(t, 'plain'), '/sampled')).text, 'chatty')
      const [sampled] = await eventually(() => eventsOf(t, 'plain'), (e) => e.length === 1)
      assert.deepEqual(sampled?.source.logs[0]?.message, ['hello from', '/sampled'])
    } finally {
      await t.close()
    }
  })
})

describe('Workers Logs retention', () => {
  it('prunes an account’s events by age and by size, oldest first', async () => {
    const clock = new ManualClock()
    const t = await startTestPlatform({ logRetentionDays: 7, logRetentionMb: 0.004 }, clock)
    try {
      await putScript(t, accountScriptPath(t, 'chatty'), CHATTY, traced)
      const host = await defaultHost(t, 'chatty')
      const paths = async () => (await eventsOf(t, 'chatty')).map((e) => String(e.source.logs[0]?.message[1]))
      await edge(t, host, '/old')
      await eventually(paths, (p) => p.length === 1)
      clock.advance(8 * DAY)
      await edge(t, host, '/new')
      assert.deepEqual(await eventually(paths, (p) => p.includes('/new')), ['/new'], 'the week-old event is gone')
      // Each event is well over 400 bytes (request headers and all): a 4 kB budget holds a few only.
      // One at a time, each stored before the next: trace events reach Node asynchronously, so
      // requests in a row could be stored out of order, and "oldest" means stored first.
      for (let i = 0; i < 12; i++) {
        await edge(t, host, `/n${i}`)
        await eventually(paths, (p) => p.includes(`/n${i}`))
      }
      const left = await paths()
      assert.ok(left.length < 12, `pruned by size: ${left.join(' ')}`)
      assert.deepEqual(left, Array.from({ length: left.length }, (_, i) => `/n${11 - i}`), 'the newest are kept')
    } finally {
      await t.close()
    }
  })
})
