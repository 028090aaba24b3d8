import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { jsonBody, startTestPlatform, type TestPlatform } from '../helpers/platform.js'

describe('dispatch namespaces API', () => {
  let t: TestPlatform
  let base: string
  before(async () => {
    t = await startTestPlatform()
    base = `/accounts/${t.accountId}/workers/dispatch/namespaces`
  })
  after(() => t.close())

  it('creates, gets, lists, renames and deletes a namespace', async () => {
    const created = await t.json(base, { method: 'POST', ...jsonBody({ name: 'production' }) })
    assert.equal(created.status, 200)
    assert.equal(created.body.success, true)
    assert.equal(created.body.result.namespace_name, 'production')
    assert.match(created.body.result.namespace_id, /^[0-9a-f-]{36}$/)
    assert.equal(created.body.result.script_count, 0)
    assert.equal(created.body.result.trusted_workers, false)

    const got = await t.json(`${base}/production`)
    assert.equal(got.body.result.namespace_id, created.body.result.namespace_id)

    const listed = await t.json(base)
    assert.deepEqual(listed.body.result.map((n: any) => n.namespace_name), ['production'])

    const renamed = await t.json(`${base}/production`, { method: 'PUT', ...jsonBody({ name: 'prod' }) })
    assert.equal(renamed.status, 200)
    assert.equal(renamed.body.result.namespace_name, 'prod')
    assert.equal((await t.json(`${base}/production`)).status, 404)

    const trusted = await t.json(`${base}/prod`, { method: 'PATCH', ...jsonBody({ trusted_workers: true }) })
    assert.equal(trusted.body.result.trusted_workers, true)

    const deleted = await t.json(`${base}/prod`, { method: 'DELETE' })
    assert.equal(deleted.status, 200)
    assert.equal(deleted.body.success, true)
    const gone = await t.json(`${base}/prod`)
    assert.equal(gone.status, 404)
    assert.equal(gone.body.errors[0].code, 10007)
  })

  it('rejects a duplicate name and leaves the first namespace as it was', async () => {
    const first = await t.json(base, { method: 'POST', ...jsonBody({ name: 'dup' }) })
    const again = await t.json(base, { method: 'POST', ...jsonBody({ name: 'dup' }) })
    assert.equal(again.status, 409)
    assert.equal(again.body.success, false)
    assert.match(again.body.errors[0].message, /already exists/)
    const list = await t.json(base)
    const dups = list.body.result.filter((n: any) => n.namespace_name === 'dup')
    assert.deepEqual(dups.map((n: any) => n.namespace_id), [first.body.result.namespace_id])
  })

  it('rejects invalid names and malformed bodies with clear errors', async () => {
    for (const name of ['', 'a/b', '..', 'x\u0001y', 'a'.repeat(64)]) {
      const res = await t.json(base, { method: 'POST', ...jsonBody({ name }) })
      assert.equal(res.status, 400, `name ${JSON.stringify(name)}`)
      assert.equal(res.body.errors[0].code, 10016)
    }
    const notJson = await t.json(base, { method: 'POST', body: '{nope', headers: { 'content-type': 'application/json' } })
    assert.equal(notJson.status, 400)
    assert.equal(notJson.body.errors[0].code, 10026)
    const noName = await t.json(base, { method: 'POST', ...jsonBody({}) })
    assert.equal(noName.status, 400)
  })

  it('authenticates every request and hides other accounts', async () => {
    const anonymous = await t.json(base, { token: null })
    assert.equal(anonymous.status, 401)
    assert.equal(anonymous.body.errors[0].code, 10000)
    const wrong = await t.json(base, { token: 'not-a-token' })
    assert.equal(wrong.status, 401)

    await t.json(base, { method: 'POST', ...jsonBody({ name: 'private' }) })
    const other = await t.otherAccount()
    const foreign = await t.json(`${base}/private`, { token: other.token })
    assert.equal(foreign.status, 403)
    assert.equal(foreign.body.errors[0].code, 10000)
    const unknownAccount = await t.json(`/accounts/${'0'.repeat(32)}/workers/dispatch/namespaces`, { token: other.token })
    assert.deepEqual(unknownAccount.body, foreign.body, 'a foreign and a missing account look the same')
    const own = await t.json(`/accounts/${other.accountId}/workers/dispatch/namespaces`, { token: other.token })
    assert.deepEqual(own.body.result, [])
  })

  it('accepts the legacy X-Auth-Email / X-Auth-Key pair', async () => {
    const { email, globalApiKey } = t.platform.credentials
    const res = await t.json(base, { token: null, headers: { 'X-Auth-Email': email, 'X-Auth-Key': globalApiKey! } })
    assert.equal(res.status, 200)
    const bad = await t.json(base, { token: null, headers: { 'X-Auth-Email': email, 'X-Auth-Key': 'wrong' } })
    assert.equal(bad.status, 401)
  })

  it('answers unknown routes and methods like Cloudflare', async () => {
    const method = await t.json(base, { method: 'DELETE' })
    assert.equal(method.status, 405)
    assert.equal(method.body.errors[0].code, 10000)
    const unknown = await t.json(`/accounts/${t.accountId}/nothing/here`)
    assert.equal(unknown.status, 404)
    assert.equal(unknown.body.errors[0].code, 7003)
  })
})
