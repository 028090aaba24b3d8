import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { jsonBody, startTestPlatform, type TestPlatform } from '../helpers/platform.js'

// The R2 bucket REST API's answers to bad input: Cloudflare's codes, and nothing changes.
describe('R2 buckets REST API', () => {
  let t: TestPlatform
  const buckets = () => `/accounts/${t.accountId}/r2/buckets`
  before(async () => {
    t = await startTestPlatform()
  })
  after(() => t.close())

  it('refuses bad names, locations and storage classes; pages buckets with a cursor', async () => {
    for (const name of ['ab', 'UPPER', '-dash', 'has_underscore', 'x'.repeat(64)]) {
      const r = await t.json(buckets(), { method: 'POST', ...jsonBody({ name }) })
      assert.equal(r.status, 400, name)
      assert.equal(r.body.errors[0].code, 10005, name)
    }
    assert.equal((await t.json(buckets(), { method: 'POST', ...jsonBody({ name: 'okay', locationHint: 'mars' }) })).body.errors[0].code, 10029)
    assert.equal((await t.json(buckets(), { method: 'POST', ...jsonBody({ name: 'okay', storageClass: 'Glacier' }) })).body.errors[0].code, 10029)
    assert.deepEqual((await t.json(buckets())).body.result.buckets, [])
    for (const name of ['c-bucket', 'a-bucket', 'b-bucket']) assert.equal((await t.json(buckets(), { method: 'POST', ...jsonBody({ name }) })).status, 200)
    const first = await t.json(`${buckets()}?per_page=2`)
    assert.deepEqual(first.body.result.buckets.map((b: { name: string }) => b.name), ['a-bucket', 'b-bucket'])
    const rest = await t.json(`${buckets()}?per_page=2&cursor=${first.body.result_info.cursor}`)
    assert.deepEqual(rest.body.result.buckets.map((b: { name: string }) => b.name), ['c-bucket'])
    assert.equal(rest.body.result_info.cursor, undefined)
  })

  it('stores CORS and lifecycle rules; invalid rules change nothing', async () => {
    const cors = `${buckets()}/a-bucket/cors`
    assert.equal((await t.json(cors)).body.errors[0].code, 10059)
    const rules = { rules: [{ allowed: { origins: ['https://x.example'], methods: ['GET'] }, maxAgeSeconds: 60 }] }
    assert.equal((await t.json(cors, { method: 'PUT', ...jsonBody(rules) })).status, 200)
    const bad = await t.json(cors, { method: 'PUT', ...jsonBody({ rules: [{ allowed: { origins: [], methods: ['FETCH'] } }] }) })
    assert.equal(bad.status, 400)
    assert.deepEqual((await t.json(cors)).body.result, rules)

    const lifecycle = `${buckets()}/a-bucket/lifecycle`
    assert.deepEqual((await t.json(lifecycle)).body.result, { rules: [] })
    const expire = { rules: [{ id: 'tmp', enabled: true, conditions: { prefix: 'tmp/' }, deleteObjectsTransition: { condition: { type: 'Age', maxAge: 86400 } } }] }
    assert.equal((await t.json(lifecycle, { method: 'PUT', ...jsonBody(expire) })).status, 200)
    const wrong = await t.json(lifecycle, { method: 'PUT', ...jsonBody({ rules: [{ id: 'x', enabled: 'yes', conditions: {} }] }) })
    assert.equal(wrong.status, 400)
    assert.deepEqual((await t.json(lifecycle)).body.result, expire)
    assert.equal((await t.json(`${buckets()}/absent/lifecycle`)).body.errors[0].code, 10006)
  })
})
