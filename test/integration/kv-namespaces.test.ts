import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { jsonBody, startTestPlatform, type TestPlatform } from '../helpers/platform.js'

describe('KV namespaces API', () => {
  let t: TestPlatform
  let base: string
  const create = (title: unknown) => t.json(base, { method: 'POST', ...jsonBody({ title }) })

  before(async () => {
    t = await startTestPlatform()
    base = `/accounts/${t.accountId}/storage/kv/namespaces`
  })
  after(() => t.close())

  it('creates, gets, renames and deletes a namespace', async () => {
    const created = await create('My Own Namespace')
    assert.equal(created.status, 200)
    assert.equal(created.body.success, true)
    assert.match(created.body.result.id, /^[0-9a-f]{32}$/)
    assert.deepEqual(created.body.result, { id: created.body.result.id, title: 'My Own Namespace', supports_url_encoding: true })
    const id: string = created.body.result.id

    const got = await t.json(`${base}/${id}`)
    assert.deepEqual(got.body.result, created.body.result)

    const renamed = await t.json(`${base}/${id}`, { method: 'PUT', ...jsonBody({ title: 'Renamed' }) })
    assert.equal(renamed.status, 200)
    assert.equal(renamed.body.result.title, 'Renamed')
    assert.equal((await t.json(`${base}/${id}`)).body.result.title, 'Renamed')

    const deleted = await t.json(`${base}/${id}`, { method: 'DELETE' })
    assert.equal(deleted.status, 200)
    assert.deepEqual(deleted.body.result, {})
    const gone = await t.json(`${base}/${id}`)
    assert.equal(gone.status, 404)
    assert.deepEqual(gone.body.errors, [{ code: 10013, message: "get: 'namespace not found'" }])
    assert.equal((await t.json(`${base}/${id}`, { method: 'DELETE' })).status, 404)
  })

  it('refuses a duplicate title with 10014 and keeps the first namespace', async () => {
    const first = await create('dup')
    const again = await create('dup')
    assert.equal(again.status, 400)
    assert.deepEqual(again.body.errors, [{ code: 10014, message: 'a namespace with this account ID and title already exists' }])
    const other = await create('dup-2')
    const clash = await t.json(`${base}/${other.body.result.id}`, { method: 'PUT', ...jsonBody({ title: 'dup' }) })
    assert.equal(clash.status, 400)
    assert.equal(clash.body.errors[0].code, 10014)
    assert.equal((await t.json(`${base}/${other.body.result.id}`)).body.result.title, 'dup-2')
    const all = await t.json(`${base}?per_page=1000`)
    assert.deepEqual(all.body.result.filter((n: { title: string }) => n.title === 'dup').map((n: { id: string }) => n.id), [first.body.result.id])
  })

  it('refuses missing titles and malformed bodies without creating anything', async () => {
    const before = (await t.json(`${base}?per_page=1000`)).body.result.length
    for (const title of [undefined, '', '   ', 42]) {
      const res = await create(title)
      assert.equal(res.status, 400, `title ${JSON.stringify(title)}`)
      assert.deepEqual(res.body.errors, [{ code: 10019, message: 'missing title' }])
    }
    const notJson = await t.json(base, { method: 'POST', body: '{', headers: { 'content-type': 'application/json' } })
    assert.equal(notJson.status, 400)
    assert.equal(notJson.body.errors[0].code, 10026)
    assert.equal((await t.json(`${base}?per_page=1000`)).body.result.length, before)
  })

  it('pages, sorts and answers an empty page past the end', async () => {
    const fresh = await t.otherAccount()
    const own = `/accounts/${fresh.accountId}/storage/kv/namespaces`
    const titles = ['delta', 'alpha', 'echo', 'charlie', 'bravo']
    const ids: string[] = []
    for (const title of titles) {
      const res = await t.json(own, { method: 'POST', token: fresh.token, ...jsonBody({ title }) })
      ids.push(res.body.result.id)
    }
    const page = (q: string) => t.json(`${own}${q}`, { token: fresh.token })

    const first = await page('?per_page=2&order=title&direction=asc')
    assert.deepEqual(first.body.result.map((n: { title: string }) => n.title), ['alpha', 'bravo'])
    assert.deepEqual(first.body.result_info, { page: 1, per_page: 2, count: 2, total_count: 5, total_pages: 3 })
    const third = await page('?per_page=2&page=3&order=title')
    assert.deepEqual(third.body.result.map((n: { title: string }) => n.title), ['echo'])
    const past = await page('?per_page=2&page=4')
    assert.equal(past.status, 200)
    assert.deepEqual(past.body.result, [])
    assert.equal(past.body.result_info.count, 0)

    const desc = await page('?order=title&direction=desc')
    assert.deepEqual(desc.body.result.map((n: { title: string }) => n.title), ['echo', 'delta', 'charlie', 'bravo', 'alpha'])
    assert.equal(desc.body.result_info.per_page, 20, 'per_page defaults to 20')
    const byId = await page('?order=id')
    assert.deepEqual(byId.body.result.map((n: { id: string }) => n.id), [...ids].sort())
    assert.equal((await page('?per_page=5000')).body.result_info.per_page, 1000, 'per_page is capped at 1000')
  })

  it('refuses malformed paging and sorting parameters with Cloudflare\'s codes', async () => {
    const cases: Array<[string, number]> = [
      ['?page=0', 10007],
      ['?page=two', 10007],
      ['?per_page=-1', 10008],
      ['?order=created', 10043],
      ['?direction=up', 10044],
    ]
    for (const [q, code] of cases) {
      const res = await t.json(`${base}${q}`)
      assert.equal(res.status, 400, q)
      assert.equal(res.body.errors[0].code, code, q)
    }
  })

  it('answers a foreign namespace exactly like a missing one, and 10011 for a malformed id', async () => {
    const mine = await create('private')
    const other = await t.otherAccount()
    const otherBase = `/accounts/${other.accountId}/storage/kv/namespaces`
    const foreign = await t.json(`${otherBase}/${mine.body.result.id}`, { token: other.token })
    const missing = await t.json(`${otherBase}/${'0'.repeat(32)}`, { token: other.token })
    assert.equal(foreign.status, 404)
    assert.deepEqual(foreign.body, missing.body)
    for (const method of ['PUT', 'DELETE']) {
      const res = await t.json(`${otherBase}/${mine.body.result.id}`, { method, token: other.token, ...jsonBody({ title: 'stolen' }) })
      assert.equal(res.status, 404, method)
      assert.equal(res.body.errors[0].code, 10013)
    }
    assert.equal((await t.json(`${base}/${mine.body.result.id}`)).body.result.title, 'private')
    assert.deepEqual((await t.json(otherBase, { token: other.token })).body.result, [])

    const malformed = await t.json(`${base}/not-an-id`)
    assert.equal(malformed.status, 400)
    assert.deepEqual(malformed.body.errors, [{ code: 10011, message: "could not parse UUID from request's namespace_id: 'not-an-id'" }])
  })
})
