import { parse } from 'acorn'
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { convictForCpu } from '../helpers/containment.js'
import { createNamespace, deployDispatcher, edge, namespaceScriptPath, putScript } from '../helpers/edge.js'
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js'

// The operators' console is a page and a script of our own: served under a strict policy, valid
// JavaScript, and every API answer it reads has the fields it reads.
describe('web console', () => {
  let t: TestPlatform
  const page = (path: string) => fetch(new URL(path, t.platform.apiUrl.replace(/\/client\/v4$/, '/')))

  before(async () => {
    t = await startTestPlatform()
    await createNamespace(t, 'tenants')
    const up = await putScript(t, namespaceScriptPath(t, 'tenants', 'shop'), 'export default { fetch() { return new Response("hi") } }', {
      tags: ['customer-1'],
      bindings: [{ type: 'plain_text', name: 'GREETING', text: 'hi' }],
    })
    assert.equal(up.status, 200)
  })
  after(() => t.close())

  it('lets an operator, and only an operator, lift a ban the edge then stops enforcing', async () => {
    await createNamespace(t, 'jail')
    const host = await deployDispatcher(t, 'jail')
    await putScript(t, namespaceScriptPath(t, 'jail', 'hostile'), 'export default { fetch() { while (true) {} } }')
    await convictForCpu(t, host, 'hostile')
    // The tenant fixes its code; the ban still holds until it expires or an operator lifts it.
    await putScript(t, namespaceScriptPath(t, 'jail', 'hostile'), 'export default { fetch() { return new Response("reformed") } }')
    assert.equal((await edge(t, host, '/hostile')).status, 502)
    const status = (await t.json('/workerhive/status')).body.result
    const key = status.containment.find((e: { key: string }) => e.key.endsWith('/hostile')).key as string
    const lift = (token?: string) => t.json(`/workerhive/containment?key=${encodeURIComponent(key)}`, { method: 'DELETE', ...(token ? { token } : {}) })

    const tenant = await t.otherAccount()
    assert.equal((await lift(tenant.token)).status, 403, 'a tenant cannot lift bans')
    assert.equal((await t.json('/workerhive/containment', { method: 'DELETE' })).status, 400)
    const lifted = await lift()
    assert.equal(lifted.status, 200)
    assert.deepEqual(lifted.body.result, { key })
    assert.equal((await edge(t, host, '/hostile')).text, 'reformed')
    assert.deepEqual((await t.json('/workerhive/status')).body.result.containment, [])
    const again = await lift()
    assert.equal(again.status, 404)
    assert.equal(again.body.errors[0].code, 10007)
  })

  it('serves the page and its script under a policy that runs nothing else', async () => {
    const html = await page('/console')
    assert.equal(html.status, 200)
    assert.match(html.headers.get('content-security-policy') ?? '', /script-src 'self'/)
    const text = await html.text()
    assert.match(text, /<script src="\/console\/app\.js"><\/script>/)
    assert.doesNotMatch(text, /<script>/, 'no inline script')
    const js = await page('/console/app.js')
    assert.equal(js.headers.get('content-type'), 'text/javascript; charset=utf-8')
    parse(await js.text(), { ecmaVersion: 'latest', sourceType: 'script' })
    assert.equal((await page('/console/app.css')).status, 200)
  })

  it('finds in the API every field it shows', async () => {
    const accounts = (await t.json('/accounts')).body.result
    assert.equal(accounts[0].id, t.accountId)
    assert.equal(typeof accounts[0].name, 'string')
    const status = (await t.json('/workerhive/status')).body.result
    assert.equal(typeof status.sandbox.kind, 'string')
    assert.ok(status.processes.length > 0)
    for (const p of status.processes) assert.deepEqual(Object.keys(p).filter((k) => ['index', 'role', 'state', 'restarts'].includes(k)).sort(), ['index', 'restarts', 'role', 'state'])
    assert.equal(typeof status.watchdog.kills, 'number')
    const a = `/accounts/${t.accountId}`
    const ns = (await t.json(`${a}/workers/dispatch/namespaces`)).body.result.find((n: { namespace_name: string }) => n.namespace_name === 'tenants')
    assert.equal(ns.namespace_name, 'tenants')
    assert.equal(ns.script_count, 1)
    assert.equal(ns.trusted_workers, false)
    const [{ script }] = (await t.json(`${a}/workers/dispatch/namespaces/tenants/scripts`)).body.result
    assert.equal(script.id, 'shop')
    assert.deepEqual(script.tags, ['customer-1'])
    assert.equal(script.has_assets, false)
    assert.equal(typeof script.modified_on, 'string')
    const settings = (await t.json(`${a}/workers/dispatch/namespaces/tenants/scripts/shop/settings`)).body.result
    assert.deepEqual(settings.bindings.map((b: { name: string; type: string }) => [b.name, b.type]), [['GREETING', 'plain_text']])
    assert.equal(typeof settings.compatibility_date, 'string')
    assert.ok(Array.isArray((await t.json(`${a}/workerhive/logs?script=shop&namespace=tenants`)).body.result))
    assert.ok(Array.isArray((await t.json(`${a}/workerhive/metrics`)).body.result))
    assert.ok(Array.isArray((await t.json(`${a}/storage/kv/namespaces?per_page=100`)).body.result))
    assert.ok(Array.isArray((await t.json(`${a}/workers/scripts`)).body.result))
  })
})
