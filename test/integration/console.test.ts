import { parse } from 'acorn'
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { createNamespace, namespaceScriptPath, putScript } from '../helpers/edge.js'
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
    const [ns] = (await t.json(`${a}/workers/dispatch/namespaces`)).body.result
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
