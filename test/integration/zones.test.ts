import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { jsonBody, startTestPlatform, type TestPlatform } from '../helpers/platform.js'
import { seedAccountScript } from './helpers/account-scripts.js'

describe('zones API', () => {
  let t: TestPlatform
  before(async () => {
    t = await startTestPlatform()
  })
  after(() => t.close())

  const createZone = (name: string, init: { token?: string; accountId?: string } = {}) =>
    t.json('/zones', {
      method: 'POST',
      ...jsonBody({ name, account: { id: init.accountId ?? t.accountId } }),
      ...(init.token ? { token: init.token } : {}),
    })

  it('creates, gets, lists and deletes a zone with Cloudflare fields', async () => {
    const created = await createZone('Example.COM')
    assert.equal(created.status, 200)
    const zone = created.body.result
    assert.match(zone.id, /^[0-9a-f]{32}$/)
    assert.equal(zone.name, 'example.com')
    assert.equal(zone.status, 'active')
    assert.equal(zone.paused, false)
    assert.equal(zone.type, 'full')
    assert.deepEqual(zone.name_servers, [])
    assert.equal(zone.account.id, t.accountId)
    assert.equal(typeof zone.account.name, 'string')
    assert.ok(zone.created_on && zone.modified_on)

    const got = await t.json(`/zones/${zone.id}`)
    assert.deepEqual(got.body.result, zone)

    // wrangler's lookup for `routes = [{ pattern, zone_name }]`
    const found = await t.json(`/zones?name=example.com&account.id=${t.accountId}`)
    assert.equal(found.body.result[0].id, zone.id)
    const info = { page: 1, per_page: 20, count: 1, total_count: 1, total_pages: 1 }
    assert.deepEqual(found.body.result_info, info)

    const deleted = await t.json(`/zones/${zone.id}`, { method: 'DELETE' })
    assert.equal(deleted.status, 200)
    assert.deepEqual(deleted.body.result, { id: zone.id })
    const gone = await t.json(`/zones/${zone.id}`)
    assert.equal(gone.status, 404)
    assert.equal(gone.body.errors[0].code, 1001)
    assert.deepEqual((await t.json('/zones?name=example.com')).body.result, [])
  })

  it('filters and pages the list until an empty page', async () => {
    for (const name of ['alpha.test', 'beta.test', 'gamma.example', 'delta.test', 'epsilon.test', 'zeta.test'])
      assert.equal((await createZone(name)).status, 200)
    const all = await t.json('/zones?per_page=5')
    assert.equal(all.body.result.length, 5)
    assert.equal(all.body.result_info.total_count, 6)
    const firstFive = ['alpha.test', 'beta.test', 'delta.test', 'epsilon.test', 'gamma.example']
    assert.deepEqual(all.body.result.map((z: any) => z.name), firstFive)
    const second = await t.json('/zones?per_page=5&page=2')
    assert.deepEqual(second.body.result.map((z: any) => z.name), ['zeta.test'])
    const past = await t.json('/zones?per_page=5&page=3')
    assert.equal(past.status, 200)
    assert.deepEqual(past.body.result, [])

    const suffix = await t.json('/zones?name=ends_with:.example')
    assert.deepEqual(suffix.body.result.map((z: any) => z.name), ['gamma.example'])
    const contains = await t.json('/zones?name=contains:ta')
    assert.deepEqual(contains.body.result.map((z: any) => z.name), ['beta.test', 'delta.test', 'zeta.test'])
    const desc = await t.json('/zones?name=starts_with:alpha&direction=desc')
    assert.deepEqual(desc.body.result.map((z: any) => z.name), ['alpha.test'])
    const pending = await t.json('/zones?status=pending')
    assert.deepEqual(pending.body.result, [])
  })

  it('rejects duplicates and invalid names, changing nothing', async () => {
    assert.equal((await createZone('dup.test')).status, 200)
    const again = await createZone('DUP.test.')
    assert.equal(again.status, 409)
    assert.equal(again.body.errors[0].code, 1061)
    assert.match(again.body.errors[0].message, /dup\.test already exists/)

    const invalid = ['', 'localhost', 'bad_label-.test', '-x.test', 'a..b.test', 'has space.test', `${'a'.repeat(64)}.test`]
    for (const name of invalid) {
      const res = await createZone(name)
      assert.equal(res.status, 400, JSON.stringify(name))
      assert.equal(res.body.errors[0].code, 1099, JSON.stringify(name))
    }
    // the edge domain (`localhost` here) is where default hostnames live; no account may own a zone there
    for (const name of ['admin.localhost', 'x.y.localhost']) {
      const res = await createZone(name)
      assert.equal(res.status, 400, name)
      assert.match(res.body.errors[0].message, /default hostnames/, name)
    }
    const noName = await t.json('/zones', { method: 'POST', ...jsonBody({ account: { id: t.accountId } }) })
    assert.equal(noName.status, 400)
    const partial = await t.json('/zones', {
      method: 'POST',
      ...jsonBody({ name: 'partial.test', type: 'partial' }),
    })
    assert.equal(partial.status, 400)
    assert.deepEqual((await t.json('/zones?name=partial.test')).body.result, [])
  })

  it('keeps zones private to their account', async () => {
    const mine = (await createZone('private.test')).body.result
    const other = await t.otherAccount()

    const intoMine = await createZone('stolen.test', { token: other.token })
    assert.equal(intoMine.status, 403, 'the body names an account that is not the caller')
    assert.equal(intoMine.body.errors[0].code, 10000)

    const foreign = await t.json(`/zones/${mine.id}`, { token: other.token })
    const missing = await t.json(`/zones/${'f'.repeat(32)}`, { token: other.token })
    assert.equal(foreign.status, 404)
    assert.deepEqual(foreign.body, missing.body)
    assert.equal((await t.json(`/zones/${mine.id}`, { method: 'DELETE', token: other.token })).status, 404)
    assert.equal((await t.json(`/zones/${mine.id}/workers/routes`, { token: other.token })).status, 404)
    const listed = await t.json(`/zones?account.id=${t.accountId}`, { token: other.token })
    assert.deepEqual(listed.body.result, [])
    const byName = await t.json('/zones?name=private.test', { token: other.token })
    assert.deepEqual(byName.body.result, [])

    const theirs = await createZone('theirs.test', { token: other.token, accountId: other.accountId })
    assert.equal(theirs.status, 200)
    assert.equal(theirs.body.result.account.id, other.accountId)

    // hostnames stay with the account that claimed them: no zone inside or around another's
    for (const name of ['shop.private.test', 'a.b.private.test']) {
      const inside = await createZone(name, { token: other.token, accountId: other.accountId })
      assert.equal(inside.status, 400, name)
      assert.equal(inside.body.errors[0].code, 1099)
    }
    await createZone('deep.outer.test')
    const around = await createZone('outer.test', { token: other.token, accountId: other.accountId })
    assert.equal(around.status, 400)
    assert.equal((await createZone('shop.deep.outer.test')).status, 200, 'nesting inside one account is fine')
    assert.equal((await t.json(`/zones/${mine.id}`)).status, 200, 'still there')
  })

  it('answers unauthenticated callers with 10000', async () => {
    const res = await t.json('/zones', { token: null })
    assert.equal(res.status, 401)
    assert.equal(res.body.errors[0].code, 10000)
  })
})

describe('zone routes API', () => {
  let t: TestPlatform
  let zoneId: string
  before(async () => {
    t = await startTestPlatform()
    const zone = jsonBody({ name: 'example.com', account: { id: t.accountId } })
    zoneId = (await t.json('/zones', { method: 'POST', ...zone })).body.result.id
    await seedAccountScript(t, 'dispatcher')
    await seedAccountScript(t, 'other-worker')
  })
  after(() => t.close())

  const routes = () => `/zones/${zoneId}/workers/routes`
  const post = (body: unknown) => t.json(routes(), { method: 'POST', ...jsonBody(body) })

  it('creates, reads, updates and deletes routes', async () => {
    const created = await post({ pattern: '*.Example.com/*', script: 'dispatcher' })
    assert.equal(created.status, 200)
    const route = created.body.result
    assert.match(route.id, /^[0-9a-f]{32}$/)
    assert.equal(route.pattern, '*.example.com/*')
    assert.equal(route.script, 'dispatcher')

    const exclusion = await post({ pattern: 'example.com/status' })
    assert.equal(exclusion.status, 200)
    assert.equal('script' in exclusion.body.result, false, 'a route without script excludes its pattern')

    const listed = await t.json(routes())
    assert.deepEqual(
      listed.body.result.map((r: any) => [r.pattern, r.script]),
      [['*.example.com/*', 'dispatcher'], ['example.com/status', undefined]],
    )
    assert.deepEqual((await t.json(`${routes()}/${route.id}`)).body.result, route)

    const updated = await t.json(`${routes()}/${route.id}`, {
      method: 'PUT',
      ...jsonBody({ pattern: 'shop.example.com/api/*', script: 'other-worker' }),
    })
    assert.equal(updated.status, 200)
    const expected = { id: route.id, pattern: 'shop.example.com/api/*', script: 'other-worker' }
    assert.deepEqual(updated.body.result, expected)

    assert.equal((await t.json(`${routes()}/${route.id}`, { method: 'DELETE' })).body.result.id, route.id)
    const gone = await t.json(`${routes()}/${route.id}`)
    assert.equal(gone.status, 404)
    assert.equal(gone.body.errors[0].code, 10007)
    assert.equal((await t.json(`${routes()}/${route.id}`, { method: 'DELETE' })).status, 404)
    await t.json(`${routes()}/${exclusion.body.result.id}`, { method: 'DELETE' })
  })

  it('validates patterns like Cloudflare and changes nothing on bad input', async () => {
    const before = (await t.json(routes())).body.result
    const outside = await post({ pattern: 'other.org/*', script: 'dispatcher' })
    assert.equal(outside.status, 400)
    assert.equal(outside.body.errors[0].code, 10022)
    assert.equal(outside.body.errors[0].message, 'Route pattern must include zone name: other.org/*')
    for (const pattern of ['example.com/*.jpg', 'example.com/?foo=*', 'ex*ample.com/*', 'ftp://example.com/*']) {
      const res = await post({ pattern, script: 'dispatcher' })
      assert.equal(res.status, 400, pattern)
      assert.equal(res.body.errors[0].code, 10022, pattern)
    }
    const noScript = await post({ pattern: 'example.com/x/*', script: 'nope' })
    assert.equal(noScript.status, 404)
    assert.equal(noScript.body.errors[0].code, 10007)
    assert.equal((await post({ pattern: 42 })).status, 400)
    assert.deepEqual((await t.json(routes())).body.result, before)
  })

  it('rejects a pattern that already has a route', async () => {
    const first = await post({ pattern: 'dup.example.com/*', script: 'dispatcher' })
    const again = await post({ pattern: 'DUP.example.com/*', script: 'other-worker' })
    assert.equal(again.status, 409)
    assert.equal(again.body.errors[0].code, 10020)
    const second = await post({ pattern: 'dup2.example.com/*', script: 'dispatcher' })
    const clash = await t.json(`${routes()}/${second.body.result.id}`, {
      method: 'PUT',
      ...jsonBody({ pattern: 'dup.example.com/*', script: 'dispatcher' }),
    })
    assert.equal(clash.status, 409)
    const unchanged = await t.json(`${routes()}/${second.body.result.id}`)
    assert.equal(unchanged.body.result.pattern, 'dup2.example.com/*')
    await t.json(`${routes()}/${first.body.result.id}`, { method: 'DELETE' })
    await t.json(`${routes()}/${second.body.result.id}`, { method: 'DELETE' })
  })
})

describe('script routes (wrangler deploy with routes)', () => {
  let t: TestPlatform
  let zoneId: string
  let subZoneId: string
  before(async () => {
    t = await startTestPlatform()
    const zone = (name: string) =>
      t.json('/zones', { method: 'POST', ...jsonBody({ name, account: { id: t.accountId } }) })
    zoneId = (await zone('example.com')).body.result.id
    subZoneId = (await zone('shop.example.com')).body.result.id
    await seedAccountScript(t, 'dispatcher')
    await seedAccountScript(t, 'other-worker')
  })
  after(() => t.close())

  const scriptRoutes = (script: string) => `/accounts/${t.accountId}/workers/scripts/${script}/routes`
  const put = (script: string, body: unknown) => t.json(scriptRoutes(script), { method: 'PUT', ...jsonBody(body) })
  const patternsOf = async (path: string) => (await t.json(path)).body.result.map((r: any) => r.pattern)

  it("follows wrangler's sequence: zone lookup, route listing, then PUT replacing the script's routes", async () => {
    const lookup = await t.json(`/zones?name=example.com&account.id=${t.accountId}`)
    assert.equal(lookup.body.result[0].id, zoneId)
    assert.deepEqual((await t.json(`/zones/${zoneId}/workers/routes`)).body.result, [])

    const res = await put('dispatcher', [
      { pattern: '*.platform.example.com/*', zone_name: 'example.com' },
      { pattern: 'api.example.com/v1/*', zone_id: zoneId },
      { pattern: 'x.shop.example.com/*' },
    ])
    assert.equal(res.status, 200, JSON.stringify(res.body))
    assert.deepEqual(
      res.body.result.map((r: any) => [r.pattern, r.script, r.zone_name]).sort(),
      [
        ['*.platform.example.com/*', 'dispatcher', 'example.com'],
        ['api.example.com/v1/*', 'dispatcher', 'example.com'],
        ['x.shop.example.com/*', 'dispatcher', 'shop.example.com'],
      ],
    )
    const inZone = await t.json(`/zones/${zoneId}/workers/routes`)
    const zonePatterns = inZone.body.result.map((r: any) => r.pattern).sort()
    assert.deepEqual(zonePatterns, ['*.platform.example.com/*', 'api.example.com/v1/*'])
    const sub = await t.json(`/zones/${subZoneId}/workers/routes`)
    assert.deepEqual(sub.body.result.map((r: any) => r.script), ['dispatcher'])

    const listed = await t.json(scriptRoutes('dispatcher'))
    assert.equal(listed.body.result.length, 3)

    // a redeploy with fewer routes replaces them all
    const again = await put('dispatcher', [{ pattern: '*.platform.example.com/*', zone_name: 'example.com' }])
    assert.equal(again.status, 200)
    assert.deepEqual(await patternsOf(scriptRoutes('dispatcher')), ['*.platform.example.com/*'])
    assert.deepEqual((await t.json(`/zones/${subZoneId}/workers/routes`)).body.result, [])
  })

  it("refuses a pattern another script holds, keeping both scripts' routes", async () => {
    const res = await put('other-worker', [
      { pattern: 'free.example.com/*', zone_name: 'example.com' },
      { pattern: '*.platform.example.com/*', zone_name: 'example.com' },
    ])
    assert.equal(res.status, 409)
    assert.equal(res.body.errors[0].code, 10020)
    assert.deepEqual((await t.json(scriptRoutes('other-worker'))).body.result, [])
    assert.deepEqual(await patternsOf(scriptRoutes('dispatcher')), ['*.platform.example.com/*'])
  })

  it('rejects unknown zones, patterns outside their zone, missing scripts and bad bodies', async () => {
    const unknownName = await put('dispatcher', [{ pattern: 'a.nowhere.test/*', zone_name: 'nowhere.test' }])
    assert.equal(unknownName.status, 400)
    assert.equal(unknownName.body.errors[0].code, 1001)
    const unknownId = await put('dispatcher', [{ pattern: 'a.example.com/*', zone_id: 'f'.repeat(32) }])
    assert.equal(unknownId.status, 400)
    const inferred = await put('dispatcher', [{ pattern: 'a.nowhere.test/*' }])
    assert.equal(inferred.status, 400)
    const outside = await put('dispatcher', [{ pattern: 'a.other.org/*', zone_name: 'example.com' }])
    assert.equal(outside.status, 400)
    assert.equal(outside.body.errors[0].code, 10022)
    const missing = await put('ghost', [{ pattern: 'g.example.com/*', zone_name: 'example.com' }])
    assert.equal(missing.status, 404)
    assert.equal(missing.body.errors[0].code, 10007)
    assert.equal((await t.json(scriptRoutes('ghost'))).body.errors[0].code, 10007)
    assert.equal((await put('dispatcher', { pattern: 'a.example.com/*' })).status, 400)
    assert.deepEqual(await patternsOf(scriptRoutes('dispatcher')), ['*.platform.example.com/*'])
  })

  it("does not reach another account's zones", async () => {
    const other = await t.otherAccount()
    await seedAccountScript(t, 'theirs', other)
    const res = await t.json(`/accounts/${other.accountId}/workers/scripts/theirs/routes`, {
      method: 'PUT',
      token: other.token,
      ...jsonBody([{ pattern: 'steal.example.com/*', zone_name: 'example.com' }]),
    })
    assert.equal(res.status, 400)
    assert.equal(res.body.errors[0].code, 1001)
    const byId = await t.json(`/accounts/${other.accountId}/workers/scripts/theirs/routes`, {
      method: 'PUT',
      token: other.token,
      ...jsonBody([{ pattern: 'steal.example.com/*', zone_id: zoneId }]),
    })
    assert.equal(byId.status, 400)
  })

  it('accepts an empty list, removing every route of the script', async () => {
    assert.equal((await put('dispatcher', [])).status, 200)
    assert.deepEqual((await t.json(scriptRoutes('dispatcher'))).body.result, [])
  })
})
