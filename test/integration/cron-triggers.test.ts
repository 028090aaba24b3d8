import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { accountScriptPath, createNamespace, defaultHost, edge, namespaceScriptPath, putScript } from '../helpers/edge.js'
import { ManualClock } from '../helpers/manual-clock.js'
import { jsonBody, startTestPlatform, type TestPlatform } from '../helpers/platform.js'
import { eventually } from '../helpers/eventually.js'

const MINUTE = 60_000
/** 30 s past a minute boundary: the next `* * * * *` tick is 30 s away. */
const START = Date.UTC(2030, 0, 1, 0, 0, 30)

/** A module Worker whose scheduled handler records what it was given in KV under `key`. */
const moduleWorker = (key: string) => `
export default {
  async scheduled(controller, env, ctx) {
    controller.noRetry()
    ctx.waitUntil(env.KV.put(${JSON.stringify(key)}, JSON.stringify({ cron: controller.cron, scheduledTime: controller.scheduledTime })))
  },
  fetch() { return new Response('fetch') },
}
`

/** The same in service-worker format: `addEventListener('scheduled')`, the KV binding a global. */
const serviceWorker = (key: string) => `
addEventListener('scheduled', (event) => {
  event.waitUntil(KV.put(${JSON.stringify(key)}, JSON.stringify({ cron: event.cron, scheduledTime: event.scheduledTime })))
})
addEventListener('fetch', (event) => event.respondWith(new Response('fetch')))
`

describe('cron triggers: schedules API, the scheduler and scheduled handlers', () => {
  let t: TestPlatform
  let kvId: string
  const clock = new ManualClock(START)
  const kvPath = (key: string) => `/accounts/${t.accountId}/storage/kv/namespaces/${kvId}/values/${key}`
  const bindings = () => [{ type: 'kv_namespace', name: 'KV', namespace_id: kvId }]
  const readKv = async (key: string): Promise<any> => {
    const res = await t.api(kvPath(key))
    return res.status === 200 ? JSON.parse(await res.text()) : null
  }

  async function putServiceWorker(path: string, code: string): Promise<void> {
    const form = new FormData()
    form.set('metadata', JSON.stringify({ body_part: 'index.js', compatibility_date: '2026-01-01', bindings: bindings() }))
    form.set('index.js', new Blob([code], { type: 'application/javascript' }), 'index.js')
    const res = await t.json(path, { method: 'PUT', body: form })
    assert.equal(res.status, 200, JSON.stringify(res.body))
  }

  async function putModule(path: string, code: string): Promise<void> {
    const res = await putScript(t, path, code, { bindings: bindings() })
    assert.equal(res.status, 200, JSON.stringify(res.body))
  }

  const schedules = (path: string, crons: string[]) =>
    t.json(`${path}/schedules`, { method: 'PUT', ...jsonBody(crons.map((cron) => ({ cron }))) })

  before(async () => {
    t = await startTestPlatform({ dev: true }, clock)
    kvId = (await t.json(`/accounts/${t.accountId}/storage/kv/namespaces`, { method: 'POST', ...jsonBody({ title: 'cron' }) })).body.result.id
    await createNamespace(t, 'customers')
    await putModule(accountScriptPath(t, 'acct-module'), moduleWorker('acct-module'))
    await putServiceWorker(accountScriptPath(t, 'acct-sw'), serviceWorker('acct-sw'))
    await putModule(namespaceScriptPath(t, 'customers', 'ns-module'), moduleWorker('ns-module'))
    await putServiceWorker(namespaceScriptPath(t, 'customers', 'ns-sw'), serviceWorker('ns-sw'))
  })
  after(() => t?.close())

  it('PUT replaces a script’s schedules and GET reads them back, for account and namespace scripts', async () => {
    const put = await schedules(accountScriptPath(t, 'acct-module'), ['* * * * *', '0 0 * JAN-JUN FRI'])
    assert.equal(put.status, 200, JSON.stringify(put.body))
    assert.deepEqual(put.body.result.schedules.map((s: any) => s.cron), ['* * * * *', '0 0 * JAN-JUN FRI'])
    assert.ok(put.body.result.schedules.every((s: any) => s.created_on === new Date(START).toISOString() && s.modified_on))
    const got = await t.json(`${accountScriptPath(t, 'acct-module')}/schedules`)
    assert.deepEqual(got.body.result, put.body.result)

    const ns = await schedules(namespaceScriptPath(t, 'customers', 'ns-module'), ['* * * * *'])
    assert.equal(ns.status, 200, JSON.stringify(ns.body))
    assert.deepEqual((await t.json(`${namespaceScriptPath(t, 'customers', 'ns-module')}/schedules`)).body.result.schedules.map((s: any) => s.cron), ['* * * * *'])

    const missing = await t.json(`${accountScriptPath(t, 'no-such-script')}/schedules`)
    assert.equal(missing.status, 404)
  })

  it('refuses an invalid cron with 10100 and changes nothing', async () => {
    const path = accountScriptPath(t, 'acct-module')
    const before = (await t.json(`${path}/schedules`)).body.result
    for (const bad of ['0 22 * * 0', '61 * * * *', '* * * *', '0 0 1 * * *', 'every minute']) {
      const res = await schedules(path, ['*/5 * * * *', bad])
      assert.equal(res.status, 400, bad)
      assert.equal(res.body.errors[0].code, 10100, bad)
    }
    const notArray = await t.json(`${path}/schedules`, { method: 'PUT', ...jsonBody({ cron: '* * * * *' }) })
    assert.equal(notArray.status, 400)
    assert.deepEqual((await t.json(`${path}/schedules`)).body.result, before)
  })

  it('runs each due tick once, in module and service-worker Workers, account and namespace scripts', async () => {
    await schedules(accountScriptPath(t, 'acct-sw'), ['* * * * *'])
    await schedules(namespaceScriptPath(t, 'customers', 'ns-sw'), ['*/2 * * * *'])

    assert.equal(await t.platform.scheduler.tick(), 0, 'nothing is due before the minute')
    assert.equal(await readKv('acct-module'), null)

    clock.advance(30_000) // 00:01:00
    const tick1 = START + 30_000
    assert.equal(await t.platform.scheduler.tick(), 3, 'acct-module, acct-sw and ns-module (every minute)')
    assert.deepEqual(await readKv('acct-module'), { cron: '* * * * *', scheduledTime: tick1 })
    assert.deepEqual(await readKv('acct-sw'), { cron: '* * * * *', scheduledTime: tick1 })
    assert.deepEqual(await readKv('ns-module'), { cron: '* * * * *', scheduledTime: tick1 })
    assert.equal(await readKv('ns-sw'), null, '*/2 is not due at 00:01')
    assert.equal(await t.platform.scheduler.tick(), 0, 'a tick runs once')

    clock.advance(MINUTE) // 00:02:00
    assert.equal(await t.platform.scheduler.tick(), 4)
    assert.deepEqual(await readKv('ns-sw'), { cron: '*/2 * * * *', scheduledTime: tick1 + MINUTE })
    assert.equal((await readKv('ns-module')).scheduledTime, tick1 + MINUTE)
  })

  it('records a tick like a request: outcome, logs, exceptions and the scheduled event of traced scripts', async () => {
    const path = namespaceScriptPath(t, 'customers', 'ns-traced')
    const code = `export default { scheduled(controller) { console.log('tick', controller.cron) } }`
    assert.equal((await putScript(t, path, code, { observability: { enabled: true } })).status, 200)
    await schedules(path, ['* * * * *'])
    const throws = namespaceScriptPath(t, 'customers', 'ns-throws')
    assert.equal((await putScript(t, throws, `export default { scheduled() { throw new Error('cron boom') } }`, { observability: { enabled: true } })).status, 200)
    await schedules(throws, ['* * * * *'])
    clock.advance(MINUTE) // 00:03:00
    assert.equal(await t.platform.scheduler.tick(), 5, 'the three every-minute scripts, ns-traced and ns-throws')

    // Trace events and counters reach Node moments after the tick: poll (bounded).
    const logs = await eventually(
      async () => (await t.json(`/accounts/${t.accountId}/workerhive/logs?script=ns-traced&namespace=customers`)).body.result as any[],
      (e) => e.length > 0,
    )
    assert.equal(logs[0]?.outcome, 'ok', JSON.stringify(logs))
    assert.deepEqual(logs[0]?.logs.map((l: any) => l.message), [['tick', '* * * * *']])
    assert.equal(logs[0]?.event?.cron, '* * * * *', JSON.stringify(logs[0]?.event))
    const metrics = await eventually(
      async () => ((await t.json(`/accounts/${t.accountId}/workerhive/metrics`)).body.result as any[]).find((m) => m.script === 'ns-traced'),
      (m) => m !== undefined,
    )
    assert.deepEqual(metrics?.outcomes, { ok: 1 })

    const failed = await eventually(
      async () => (await t.json(`/accounts/${t.accountId}/workerhive/logs?script=ns-throws&namespace=customers`)).body.result as any[],
      (e) => e.length > 0,
    )
    assert.equal(failed[0]?.outcome, 'exception', JSON.stringify(failed))
    assert.match(JSON.stringify(failed[0]?.exceptions), /cron boom/)
  })

  it('fires the account script’s handler from /cdn-cgi/handler/scheduled in development mode', async () => {
    const host = await defaultHost(t, 'acct-module')
    const res = await edge(t, host, `/cdn-cgi/handler/scheduled?cron=${encodeURIComponent('*/7 * * * *')}&time=1234`)
    assert.equal(res.status, 200, res.text)
    assert.equal(res.text, 'ok')
    assert.deepEqual(await readKv('acct-module'), { cron: '*/7 * * * *', scheduledTime: 1234 })
  })

  it('loses no tick across a restart: one missed while the platform was down runs once when it is back', async () => {
    await t.platform.stop()
    clock.set(Date.UTC(2030, 0, 1, 0, 4, 30)) // down across 00:04
    t = await startTestPlatform({ dataDir: t.dataDir, dev: true }, clock)
    assert.equal(await t.platform.scheduler.tick(), 6, 'every trigger, ns-sw (*/2) included')
    assert.deepEqual(await readKv('ns-sw'), { cron: '*/2 * * * *', scheduledTime: Date.UTC(2030, 0, 1, 0, 4) })
    assert.equal(await t.platform.scheduler.tick(), 0, 'and once only')
  })
})
