import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { after, before, describe, it } from 'node:test'
import { promisify } from 'node:util'
import { convictForCpu } from '../helpers/containment.js'
import { createNamespace, deployDispatcher, namespaceScriptPath, putScript } from '../helpers/edge.js'
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js'

const run = promisify(execFile)

/**
 * `/workerhive/status` and `workerhive status`: an account sees the containment records of its own
 * scripts and nothing of the host; the operator (the first account) also sees processes, pids,
 * watchdog kills and the sandbox.
 */
describe('per-account status', () => {
  let t: TestPlatform
  let other: { accountId: string; token: string }
  before(async () => {
    t = await startTestPlatform()
    await createNamespace(t, 'tenants')
    const host = await deployDispatcher(t, 'tenants')
    await putScript(t, namespaceScriptPath(t, 'tenants', 'hostile'), `export default { fetch() { while (true) {} } }`)
    await convictForCpu(t, host, 'hostile')
    other = await t.otherAccount()
    // The other account's own record, as the watchdog would write it for one of its scripts.
    t.platform.edge.watchdog.containment.recordIncident([`${other.accountId}//greedy`], false, 'cpu')
  })
  after(() => t.close())

  const cli = async (token: string, accountId: string, ...args: string[]) =>
    (await run(process.execPath, ['bin/workerhive.js', 'status', ...args], {
      env: { PATH: process.env.PATH, CLOUDFLARE_API_BASE_URL: t.platform.apiUrl, CLOUDFLARE_API_TOKEN: token, CLOUDFLARE_ACCOUNT_ID: accountId },
    })).stdout

  it('shows the operator the host and its own scripts', async () => {
    const status = (await t.json('/workerhive/status')).body.result
    assert.equal(status.operator, true)
    assert.ok(status.processes.length >= 2 && status.processes.every((p: { pid?: number }) => typeof p.pid === 'number'))
    assert.ok(status.watchdog.kills >= 1, 'the conviction took kills')
    assert.equal(typeof status.sandbox.kind, 'string')
    assert.deepEqual(status.containment.map((e: { key: string }) => e.key.split('/').pop()), ['hostile'])
    assert.match(await cli(t.token, t.accountId), /^watchdog: \d+ kills/m)
  })

  it('shows another account only its own scripts and no host figures', async () => {
    const res = await t.json('/workerhive/status', { token: other.token })
    assert.equal(res.status, 200)
    const status = res.body.result
    assert.deepEqual(Object.keys(status).sort(), ['containment', 'operator'])
    assert.equal(status.operator, false)
    assert.deepEqual(status.containment.map((e: { key: string }) => e.key), [`${other.accountId}//greedy`])
    const raw = JSON.stringify(res.body)
    assert.ok(!raw.includes(t.accountId), 'nothing of the first account')
    assert.doesNotMatch(raw, /hostile|pid|kills|sandbox|processes/)

    const text = await cli(other.token, other.accountId)
    assert.doesNotMatch(text, /hostile|sandbox|watchdog|workerd #|pid/)
    assert.match(text, /^probation +\S+\/greedy /m)
    const json = JSON.parse(await cli(other.token, other.accountId, '--json'))
    assert.deepEqual(Object.keys(json).sort(), ['containment', 'operator'])
  })
})
