import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { jsonBody, startTestPlatform, type TestPlatform } from '../helpers/platform.js'
import { seedAccountScript } from './helpers/account-scripts.js'

describe('workers.dev-style subdomains', () => {
  let t: TestPlatform
  let workers: string
  before(async () => {
    t = await startTestPlatform({ edgeDomain: 'workers.localhost' })
    workers = `/accounts/${t.accountId}/workers`
    await seedAccountScript(t, 'dispatcher')
  })
  after(() => t.close())

  it("answers the account's subdomain and lets it change", async () => {
    const got = await t.json(`${workers}/subdomain`)
    assert.equal(got.status, 200)
    assert.equal(got.body.result.subdomain, 'admin', 'derived from admin@workerhive.local')

    const changed = await t.json(`${workers}/subdomain`, { method: 'PUT', ...jsonBody({ subdomain: 'acme' }) })
    assert.equal(changed.status, 200)
    assert.deepEqual(changed.body.result, { subdomain: 'acme' })
    assert.equal((await t.json(`${workers}/subdomain`)).body.result.subdomain, 'acme')
    const same = await t.json(`${workers}/subdomain`, { method: 'PUT', ...jsonBody({ subdomain: 'acme' }) })
    assert.equal(same.status, 200)
  })

  it('refuses invalid and taken subdomains, changing nothing', async () => {
    for (const subdomain of ['', 'UPPER', '-x', 'x-', 'a.b', 'a_b', 'a'.repeat(64)]) {
      const res = await t.json(`${workers}/subdomain`, { method: 'PUT', ...jsonBody({ subdomain }) })
      assert.equal(res.status, 400, subdomain)
    }
    const other = await t.otherAccount()
    const theirsRes = await t.json(`/accounts/${other.accountId}/workers/subdomain`, { token: other.token })
    const theirs = theirsRes.body.result.subdomain
    const taken = await t.json(`${workers}/subdomain`, { method: 'PUT', ...jsonBody({ subdomain: theirs }) })
    assert.equal(taken.status, 409)
    assert.equal(taken.body.errors[0].code, 10031)
    assert.equal((await t.json(`${workers}/subdomain`)).body.result.subdomain, 'acme')
  })

  it("answers availability checks the way wrangler's registration reads them", async () => {
    const free = await t.json(`${workers}/subdomains/brand-new`)
    assert.equal(free.body.success, false)
    assert.equal(free.body.errors[0].code, 10032, 'Cloudflare reports a free name as error 10032')
    const taken = await t.json(`${workers}/subdomains/acme`)
    assert.equal(taken.body.errors[0].code, 10031)
    const invalid = await t.json(`${workers}/subdomains/Not_Valid`)
    assert.equal(invalid.status, 400)
  })

  it('switches a script\'s default hostname like `wrangler deploy` does', async () => {
    const script = `${workers}/scripts/dispatcher/subdomain`
    const before = await t.json(script)
    assert.deepEqual(before.body.result, { enabled: true, previews_enabled: false })

    // workers_dev = false, no preview_urls in the config: previews_enabled is omitted and follows enabled
    const off = await t.json(script, {
      method: 'POST',
      ...jsonBody({ enabled: false }),
      headers: { 'content-type': 'application/json', 'Cloudflare-Workers-Script-Api-Date': '2025-08-01' },
    })
    assert.equal(off.status, 200)
    assert.deepEqual(off.body.result, { enabled: false, previews_enabled: false })

    const on = await t.json(script, { method: 'POST', ...jsonBody({ enabled: true, previews_enabled: false }) })
    assert.deepEqual(on.body.result, { enabled: true, previews_enabled: false })
    assert.deepEqual((await t.json(script)).body.result, { enabled: true, previews_enabled: false })

    const both = await t.json(script, { method: 'POST', ...jsonBody({ enabled: true }) })
    assert.deepEqual(both.body.result, { enabled: true, previews_enabled: true })

    const deleted = await t.json(script, { method: 'DELETE' })
    assert.deepEqual(deleted.body.result, { enabled: false, previews_enabled: false })

    const bad = await t.json(script, { method: 'POST', ...jsonBody({ enabled: 'yes' }) })
    assert.equal(bad.status, 400)
    assert.deepEqual((await t.json(script)).body.result, { enabled: false, previews_enabled: false })
    await t.json(script, { method: 'POST', ...jsonBody({ enabled: true, previews_enabled: false }) })
  })

  it('answers 10007 for the subdomain of a script that does not exist', async () => {
    const missing = await t.json(`${workers}/scripts/ghost/subdomain`)
    assert.equal(missing.status, 404)
    assert.equal(missing.body.errors[0].code, 10007)
    const post = await t.json(`${workers}/scripts/ghost/subdomain`, {
      method: 'POST',
      ...jsonBody({ enabled: true }),
    })
    assert.equal(post.body.errors[0].code, 10007)
  })

  it('shows the Worker with its subdomain state and default URL (GET /workers/workers/:name)', async () => {
    const res = await t.json(`${workers}/workers/dispatcher`)
    assert.equal(res.status, 200)
    const w = res.body.result
    assert.equal(w.name, 'dispatcher')
    assert.match(w.id, /^[0-9a-f-]{36}$/)
    assert.deepEqual(w.subdomain, {
      enabled: true,
      previews_enabled: false,
      url: `http://dispatcher.acme.workers.localhost:${t.platform.edgePort}/`,
    })
    assert.ok(w.created_on && w.updated_on && w.deployed_on)
    assert.deepEqual(w.tags, [])
    assert.equal(w.logpush, false)
    assert.deepEqual(w.references.domains, [])

    const byId = await t.json(`${workers}/workers/${w.id}`)
    assert.equal(byId.body.result.name, 'dispatcher')
    const listed = await t.json(`${workers}/workers`)
    assert.deepEqual(listed.body.result.map((x: any) => x.name), ['dispatcher'])
    assert.equal(listed.body.result_info.total_count, 1)

    const missing = await t.json(`${workers}/workers/ghost`)
    assert.equal(missing.status, 404)
    assert.equal(missing.body.errors[0].code, 10007)
  })

  it("hides another account's Workers", async () => {
    const other = await t.otherAccount()
    const id = (await t.json(`${workers}/workers/dispatcher`)).body.result.id
    const byId = await t.json(`/accounts/${other.accountId}/workers/workers/${id}`, { token: other.token })
    assert.equal(byId.status, 404)
    const subPath = `/accounts/${other.accountId}/workers/scripts/dispatcher/subdomain`
    const sub = await t.json(subPath, { token: other.token })
    assert.equal(sub.status, 404)
    const foreignPath = await t.json(`${workers}/subdomain`, { token: other.token })
    assert.equal(foreignPath.status, 403)
  })
})
