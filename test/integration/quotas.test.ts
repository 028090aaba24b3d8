import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { jsonBody, startTestPlatform, type TestPlatform } from '../helpers/platform.js'
import { accountScriptPath, createNamespace, namespaceScriptPath, putScript } from '../helpers/edge.js'

const worker = (label: string) => `export default { fetch() { return new Response(${JSON.stringify(label)}) } }`

/**
 * Per-account quotas, set small by the operator: each one answers its error once reached, the
 * refused request changes nothing, and another account has its own allowance.
 */
describe('per-account quotas', () => {
  let t: TestPlatform
  before(async () => {
    t = await startTestPlatform({
      maxDispatchNamespaces: 2,
      maxAccountScripts: 2,
      maxNamespaceScripts: 2,
      maxKvNamespaces: 2,
      maxRoutesPerZone: 2,
      versionsKept: 3,
    })
  })
  after(() => t.close())

  const listNames = async (path: string, key = 'name') =>
    (await t.json(path)).body.result.map((r: Record<string, string>) => r[key]).sort()

  it('dispatch namespaces per account', async () => {
    await createNamespace(t, 'ns-a')
    await createNamespace(t, 'ns-b')
    const base = `/accounts/${t.accountId}/workers/dispatch/namespaces`
    const third = await t.json(base, { method: 'POST', ...jsonBody({ name: 'ns-c' }) })
    assert.equal(third.status, 400)
    assert.deepEqual(third.body.errors, [
      { code: 100120, message: 'Exceeded the number of dispatch namespaces allowed on this account (2)' },
    ])
    assert.deepEqual(await listNames(base, 'namespace_name'), ['ns-a', 'ns-b'])
    const other = await t.otherAccount()
    const theirs = await t.json(`/accounts/${other.accountId}/workers/dispatch/namespaces`, {
      method: 'POST', token: other.token, ...jsonBody({ name: 'ns-c' }),
    })
    assert.equal(theirs.status, 200, 'each account has its own allowance')
  })

  it('account-level Workers per account (10037), updates still allowed', async () => {
    for (const name of ['one', 'two']) assert.equal((await putScript(t, accountScriptPath(t, name), worker(name))).status, 200)
    const third = await putScript(t, accountScriptPath(t, 'three'), worker('three'))
    assert.equal(third.status, 400)
    assert.equal(third.body.errors[0].code, 10037)
    assert.match(third.body.errors[0].message, /Workers allowed on this account \(2\)/)
    assert.deepEqual(await listNames(`/accounts/${t.accountId}/workers/scripts`, 'id'), ['one', 'two'])
    assert.equal((await putScript(t, accountScriptPath(t, 'two'), worker('two again'))).status, 200, 'an update is no new Worker')
  })

  it('user Workers per dispatch namespace (10037)', async () => {
    for (const name of ['u1', 'u2']) assert.equal((await putScript(t, namespaceScriptPath(t, 'ns-a', name), worker(name))).status, 200)
    const third = await putScript(t, namespaceScriptPath(t, 'ns-a', 'u3'), worker('u3'))
    assert.equal(third.status, 400)
    assert.equal(third.body.errors[0].code, 10037)
    assert.match(third.body.errors[0].message, /dispatch namespace 'ns-a' \(2\)/)
    const listed = await t.json(`/accounts/${t.accountId}/workers/dispatch/namespaces/ns-a/scripts`)
    assert.deepEqual(listed.body.result.map((s: { id?: string; script?: { id: string } }) => s.script?.id ?? s.id).sort(), ['u1', 'u2'])
    assert.equal((await putScript(t, namespaceScriptPath(t, 'ns-b', 'u3'), worker('u3'))).status, 200, 'per namespace')
  })

  it('KV namespaces per account', async () => {
    const base = `/accounts/${t.accountId}/storage/kv/namespaces`
    for (const title of ['kv-1', 'kv-2']) assert.equal((await t.json(base, { method: 'POST', ...jsonBody({ title }) })).status, 200)
    const third = await t.json(base, { method: 'POST', ...jsonBody({ title: 'kv-3' }) })
    assert.equal(third.status, 400)
    assert.deepEqual(third.body.errors, [
      { code: 100121, message: 'Exceeded the number of KV namespaces allowed on this account (2)' },
    ])
    assert.deepEqual(await listNames(base, 'title'), ['kv-1', 'kv-2'])
  })

  it('routes per zone, through the zone routes and wrangler\u2019s per-script PUT', async () => {
    const zone = (await t.json('/zones', { method: 'POST', ...jsonBody({ name: 'quota.test' }) })).body.result
    const routes = `/zones/${zone.id}/workers/routes`
    for (const pattern of ['quota.test/a/*', 'quota.test/b/*'])
      assert.equal((await t.json(routes, { method: 'POST', ...jsonBody({ pattern, script: 'one' }) })).status, 200)
    const third = await t.json(routes, { method: 'POST', ...jsonBody({ pattern: 'quota.test/c/*', script: 'one' }) })
    assert.equal(third.status, 400)
    assert.equal(third.body.errors[0].code, 100122)
    const put = await t.json(`/accounts/${t.accountId}/workers/scripts/two/routes`, {
      method: 'PUT', ...jsonBody([{ pattern: 'quota.test/d/*', zone_name: 'quota.test' }]),
    })
    assert.equal(put.status, 400)
    assert.equal(put.body.errors[0].code, 100122)
    assert.deepEqual(await listNames(routes, 'pattern'), ['quota.test/a/*', 'quota.test/b/*'])
    // replacing a script's own routes within the allowance is fine
    const swap = await t.json(`/accounts/${t.accountId}/workers/scripts/one/routes`, {
      method: 'PUT', ...jsonBody([{ pattern: 'quota.test/x/*', zone_name: 'quota.test' }]),
    })
    assert.equal(swap.status, 200, JSON.stringify(swap.body))
    assert.deepEqual(await listNames(routes, 'pattern'), ['quota.test/x/*'])
  })

  it('keeps the newest versions and every deployed one', async () => {
    const script = accountScriptPath(t, 'one')
    const versionsOf = async () => (await t.json(`${script}/versions`)).body.result.items.map((v: { id: string }) => v.id)
    const form = (label: string) => {
      const f = new FormData()
      f.set('metadata', JSON.stringify({ main_module: 'index.js', compatibility_date: '2026-01-01' }))
      f.set('index.js', new Blob([worker(label)], { type: 'application/javascript+module' }), 'index.js')
      return f
    }
    const deployed = (await versionsOf())[0] as string // 'one' has 1 version, deployed
    const uploaded: string[] = []
    for (const label of ['a', 'b', 'c', 'd']) {
      const res = await t.json(`${script}/versions`, { method: 'POST', body: form(label) })
      assert.equal(res.status, 200, JSON.stringify(res.body))
      uploaded.push(res.body.result.id)
    }
    // three kept: the newest two uploads and the deployed first version, however old it is
    assert.deepEqual(await versionsOf(), [uploaded[3], uploaded[2], deployed])
    assert.equal((await t.json(`${script}/versions/${uploaded[0]}`)).status, 404)
    const active = await t.json(`${script}/deployments`)
    assert.deepEqual(active.body.result.deployments[0].versions.map((v: { version_id: string }) => v.version_id), [deployed])
  })
})
