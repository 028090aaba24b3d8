import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { after, before, describe, it } from 'node:test'
import { promisify } from 'node:util'
import { convictForCpu } from '../helpers/containment.js'
import { createNamespace, deployDispatcher, edge, namespaceScriptPath, putScript } from '../helpers/edge.js'
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js'
import { eventually } from '../helpers/eventually.js'

const run = promisify(execFile)
// Short, so the sleeper's deadline passes quickly; the dispatch Worker gets twice this.
const CONFIG = { wallClockMs: 1000 }

interface LogEvent {
  outcome: string
  logs: Array<{ message: unknown[] }>
  event: { request: { url: string }; response?: { status: number } }
}
interface Metrics {
  dispatch_namespace: string | null
  script: string
  invocations: number
  outcomes: Record<string, number>
}

describe('containment state and invocation history survive a restart', () => {
  let first: TestPlatform
  let second: TestPlatform | undefined
  let host: string

  before(async () => {
    first = await startTestPlatform(CONFIG)
    await createNamespace(first, 'tenants')
    host = await deployDispatcher(first, 'tenants')
    const traced = { observability: { enabled: true } }
    await putScript(first, namespaceScriptPath(first, 'tenants', 'chatty'), `export default { fetch(req) { console.log('hello from', new URL(req.url).pathname); return new Response('chatty') } }`, traced)
    await putScript(first, namespaceScriptPath(first, 'tenants', 'sleeper'), `export default { async fetch() { console.log('going to sleep'); await new Promise((r) => setTimeout(r, 3_600_000)); return new Response('late') } }`, traced)
    await putScript(first, namespaceScriptPath(first, 'tenants', 'hostile'), `export default { fetch() { while (true) {} } }`)
  })
  after(async () => {
    await second?.close()
    await first.close()
  })

  const logsOf = async (t: TestPlatform, script: string, query = '&namespace=tenants') =>
    t.json(`/accounts/${t.accountId}/workerhive/logs?script=${script}${query}`)
  const events = async (t: TestPlatform, script: string): Promise<LogEvent[]> => (await logsOf(t, script)).body.result
  const metrics = async (t: TestPlatform): Promise<Metrics[]> =>
    (await t.json(`/accounts/${t.accountId}/workerhive/metrics`)).body.result.filter((m: Metrics) => m.dispatch_namespace === 'tenants')
  const cli = (t: TestPlatform, ...args: string[]) =>
    run(process.execPath, ['bin/workerhive.js', ...args], {
      env: { PATH: process.env.PATH, CLOUDFLARE_API_BASE_URL: t.platform.apiUrl, CLOUDFLARE_API_TOKEN: t.token, CLOUDFLARE_ACCOUNT_ID: t.accountId },
    })

  it('logs a wall-clock kill with its own outcome, never ok', async () => {
    const res = await edge(first, host, '/sleeper')
    assert.equal(res.status, 502)
    assert.match(res.text, /Worker exceeded its wall-clock limit\./)
    const [event] = await eventually(() => events(first, 'sleeper'), (e) => e.length > 0)
    assert.equal(event?.outcome, 'exceededWallClock')
    assert.equal(event?.event.response, undefined)
    assert.deepEqual(event?.logs.map((l) => l.message), [['going to sleep']])
    const counted = await eventually(() => metrics(first), (m) => m.some((s) => s.script === 'sleeper'))
    assert.deepEqual(counted.find((s) => s.script === 'sleeper')?.outcomes, { exceededWallClock: 1 })
  })

  it('keeps a conviction, the recent invocations and the counters across a stop and a start on the same data', async () => {
    for (const path of ['/chatty/one', '/chatty/two']) assert.equal((await edge(first, host, path)).text, 'chatty')
    const chattyLogs = await eventually(() => events(first, 'chatty'), (e) => e.length === 2)
    assert.deepEqual(chattyLogs.map((e) => [e.outcome, e.event.response?.status]), [['ok', 200], ['ok', 200]])
    const before = await eventually(() => metrics(first), (m) => m.find((s) => s.script === 'chatty')?.invocations === 2)
    await convictForCpu(first, host, 'hostile')

    await first.platform.stop()
    second = await startTestPlatform({ ...CONFIG, dataDir: first.dataDir })
    assert.equal(second.accountId, first.accountId)

    // Refused at once: no process of the new edge has to die for it again.
    const refused = await edge(second, host, '/hostile')
    assert.equal(refused.status, 502)
    assert.match(refused.text, /^dispatch failed: Worker exceeded CPU time limit\./)
    assert.equal(second.platform.edge.watchdog.kills, 0)
    const status = (await second.json('/workerhive/status')).body.result
    const entry = status.containment.find((e: { key: string }) => e.key.endsWith('/hostile'))
    assert.equal(entry?.status, 'banned')
    assert.equal(entry?.reason, 'cpu')
    assert.ok(entry.until > Date.now(), 'with the expiry it was given')
    assert.match((await cli(second, 'status')).stdout, /^banned +\S+\/hostile +\(cpu, 2 strikes, until /m)

    // The log and the counters are the store's, not the old process's memory.
    assert.deepEqual((await events(second, 'chatty')).map((e) => new URL(e.event.request.url).pathname), ['/chatty/one', '/chatty/two'])
    assert.equal((await events(second, 'sleeper'))[0]?.outcome, 'exceededWallClock')
    const after = await metrics(second)
    for (const script of ['chatty', 'sleeper']) {
      assert.deepEqual(after.find((s) => s.script === script), before.find((s) => s.script === script), script)
    }
    assert.match((await cli(second, 'logs', 'chatty', '--namespace', 'tenants')).stdout, /\[log\] hello from \/chatty\/two/)
  })

  it('answers not found for the logs of a script that does not exist', async () => {
    const t = second ?? first
    const inNamespace = await logsOf(t, 'nobody')
    assert.equal(inNamespace.status, 404)
    assert.equal(inNamespace.body.errors[0].code, 10092)
    const account = await logsOf(t, 'nobody', '')
    assert.equal(account.status, 404)
    assert.equal(account.body.errors[0].code, 10007)
    const noNamespace = await logsOf(t, 'chatty', '&namespace=missing')
    assert.equal(noNamespace.status, 404)
    const failed = await cli(t, 'logs', 'nobody').then(
      () => undefined,
      (e: { code: number; stderr: string }) => e,
    )
    assert.equal(failed?.code, 1)
    assert.match(failed?.stderr ?? '', /does not exist/)
  })
})
