import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { jsonBody, startTestPlatform, type TestPlatform } from '../helpers/platform.js'

const javascript = (body: string): RequestInit => ({
  body,
  headers: { 'content-type': 'application/javascript' },
})

describe('script tags', () => {
  let t: TestPlatform
  let base: string
  const tags = (script: string, rest = '') => `${base}/${script}/tags${rest}`
  const current = async (script: string): Promise<string[]> => (await t.json(tags(script))).body.result

  before(async () => {
    t = await startTestPlatform()
    const namespaces = `/accounts/${t.accountId}/workers/dispatch/namespaces`
    await t.json(namespaces, { method: 'POST', ...jsonBody({ name: 'ns' }) })
    base = `${namespaces}/ns/scripts`
    for (const name of ['s1', 's2']) {
      const code = 'addEventListener("fetch", () => {})'
      const res = await t.json(`${base}/${name}`, { method: 'PUT', ...javascript(code) })
      assert.equal(res.status, 200)
    }
  })
  after(() => t.close())

  it('replaces the set with a JSON array or the seed single-quoted body, answering the new set', async () => {
    const json = await t.json(tags('s1'), { method: 'PUT', ...jsonBody(['a', 'b', 'a']) })
    assert.equal(json.status, 200)
    assert.deepEqual(json.body.result, ['a', 'b'])
    const seed = await t.json(tags('s1'), { method: 'PUT', ...javascript("['TAG1', 'TAG2', 'TAG3']") })
    assert.equal(seed.status, 200, JSON.stringify(seed.body))
    assert.deepEqual(seed.body.result, ['TAG1', 'TAG2', 'TAG3'])
    assert.deepEqual(await current('s1'), ['TAG1', 'TAG2', 'TAG3'])
    const cleared = await t.json(tags('s1'), { method: 'PUT', ...jsonBody(null) })
    assert.deepEqual(cleared.body.result, [])
  })

  it('adds and removes single tags, and answers whether a script matches a filter', async () => {
    await t.json(tags('s2'), { method: 'PUT', ...jsonBody(['keep']) })
    const added = await t.json(tags('s2', '/customer-42'), { method: 'PUT' })
    assert.equal(added.status, 200)
    assert.equal(added.body.result, null)
    const again = await t.json(tags('s2', '/customer-42'), { method: 'PUT' })
    assert.equal(again.status, 200, 'adding twice is fine')
    assert.deepEqual(await current('s2'), ['customer-42', 'keep'])

    assert.equal((await t.json(tags('s2', '?tags=customer-42:yes,keep:yes'))).body.result, true)
    assert.equal((await t.json(tags('s2', '?tags=customer-42:yes,keep:no'))).body.result, false)
    assert.equal((await t.json(tags('s2', '?tags=other:no'))).body.result, true)

    const removed = await t.json(tags('s2', '/customer-42'), { method: 'DELETE' })
    assert.equal(removed.status, 200)
    assert.deepEqual(await current('s2'), ['keep'])
    assert.equal((await t.json(tags('s2', '/never-there'), { method: 'DELETE' })).status, 200)

    // Tags with URL-special characters travel encoded.
    await t.json(tags('s2', `/${encodeURIComponent('a b/c')}`), { method: 'PUT' })
    assert.deepEqual(await current('s2'), ['a b/c', 'keep'])
  })

  it('refuses what the seed forbids, and changes nothing', async () => {
    await t.json(tags('s1'), { method: 'PUT', ...jsonBody(['one']) })
    const cases: Array<[RequestInit, number, RegExp]> = [
      [jsonBody(['1', '2', '3', '4', '5', '6', '7', '8', '9']), 10021, /at most 8 tags \(got 9\)/],
      [jsonBody(['a,b']), 10021, /Tag 'a,b' contains ',' or '&'/],
      [jsonBody(['a&b']), 10021, /contains ',' or '&'/],
      [jsonBody(['']), 10021, /must not be empty/],
      [jsonBody([1]), 10026, /expected an array of tag strings/],
      [jsonBody({ tags: ['x'] }), 10026, /expected an array/],
      [javascript("['a' 'b']"), 10026, /expected an array/],
      [{ body: '', headers: { 'content-type': 'application/json' } }, 10026, /body is empty/],
    ]
    for (const [init, code, message] of cases) {
      const res = await t.json(tags('s1'), { method: 'PUT', ...init })
      assert.equal(res.status, 400, String(init.body))
      assert.equal(res.body.errors[0].code, code)
      assert.match(res.body.errors[0].message, message)
      assert.deepEqual(await current('s1'), ['one'])
    }

    for (const tag of ['a%2Cb', 'x%26y']) {
      const res = await t.json(tags('s1', `/${tag}`), { method: 'PUT' })
      assert.equal(res.status, 400, tag)
      assert.equal(res.body.errors[0].code, 10021)
    }
    await t.json(tags('s1'), { method: 'PUT', ...jsonBody(['1', '2', '3', '4', '5', '6', '7', '8']) })
    const ninth = await t.json(tags('s1', '/nine'), { method: 'PUT' })
    assert.equal(ninth.status, 400)
    assert.equal(ninth.body.errors[0].code, 10021)
    assert.match(ninth.body.errors[0].message, /at most 8 tags/)
    assert.deepEqual(await current('s1'), ['1', '2', '3', '4', '5', '6', '7', '8'])

    const filter = await t.json(tags('s1', '?tags=nonsense'))
    assert.equal(filter.status, 400)
    assert.equal(filter.body.errors[0].code, 10021)
  })

  it('concurrent single-tag adds never exceed the limit or lose a tag', async () => {
    await t.json(tags('s2'), { method: 'PUT', ...jsonBody([]) })
    const attempts = Array.from({ length: 12 }, (_, i) => `c${i}`)
    const results = await Promise.all(attempts.map((tag) => t.json(tags('s2', `/${tag}`), { method: 'PUT' })))
    const accepted = attempts.filter((_, i) => results[i]!.status === 200)
    assert.equal(accepted.length, 8)
    assert.deepEqual(await current('s2'), [...accepted].sort())
  })

  it('answers 10092 for a missing script', async () => {
    const requests: Array<[string, RequestInit]> = [
      [tags('ghost'), { method: 'GET' }],
      [tags('ghost'), { method: 'PUT', ...jsonBody(['a']) }],
      [tags('ghost', '/x'), { method: 'PUT' }],
      [tags('ghost', '/x'), { method: 'DELETE' }],
    ]
    for (const [path, init] of requests) {
      const res = await t.json(path, init)
      const method = init.method
      assert.equal(res.status, 404, `${method} ${path}`)
      assert.equal(res.body.errors[0].code, 10092)
    }
  })
})
