import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { jsonBody, startTestPlatform, type TestPlatform } from '../helpers/platform.js'
import { seedAccountScript } from './helpers/account-scripts.js'

/**
 * Zones are claims on hostnames: none on a public suffix or an IP literal, none on a name another
 * account holds, and a refusal that never tells the name is held by someone else.
 */
describe('zone claims', () => {
  let t: TestPlatform
  let other: { accountId: string; token: string }
  before(async () => {
    t = await startTestPlatform()
    other = await t.otherAccount()
  })
  after(() => t.close())

  const createZone = (name: string, as: { accountId: string; token: string } = { accountId: t.accountId, token: t.token }) =>
    t.json('/zones', { method: 'POST', token: as.token, ...jsonBody({ name, account: { id: as.accountId } }) })
  const zoneNames = async (token: string) =>
    (await t.json('/zones?per_page=1000', { token })).body.result.map((z: { name: string }) => z.name)

  it('refuses public suffixes and IP literals with 1099, storing nothing', async () => {
    const refused = ['co.uk', 'github.io', 'CO.UK.', 'pages.dev', '127.0.0.1', '10.1.2.3', '::1', '[::1]', '2001:db8::7']
    for (const name of refused) {
      const res = await createZone(name)
      assert.equal(res.status, 400, `${name}: ${JSON.stringify(res.body)}`)
      assert.equal(res.body.errors[0].code, 1099, name)
    }
    assert.deepEqual(await zoneNames(t.token), [])
    // a domain registered under a public suffix is an ordinary zone
    for (const name of ['example.co.uk', 'someone.github.io']) assert.equal((await createZone(name)).status, 200, name)
    assert.deepEqual((await zoneNames(t.token)).sort(), ['example.co.uk', 'someone.github.io'])
  })

  it('refuses a name another account holds without saying that it is held', async () => {
    assert.equal((await createZone('held.test')).status, 200)
    const shapes = new Set<string>()
    for (const name of ['held.test', 'shop.held.test', 'co.uk']) {
      const res = await createZone(name, other)
      assert.equal(res.status, 400, name)
      assert.equal(res.body.errors.length, 1)
      assert.equal(res.body.errors[0].code, 1099, name)
      const shape = (res.body.errors[0].message as string).replace(name, '<name>')
      assert.doesNotMatch(shape, /exist|another|other account|taken|held|owned|in use/i, shape)
      shapes.add(shape)
    }
    assert.equal(shapes.size, 1, `one answer for a held name and a public suffix: ${[...shapes].join(' | ')}`)
    assert.deepEqual(await zoneNames(other.token), [], 'nothing stored for the other account')
    // the holder itself is told plainly: the zone is its own
    const again = await createZone('held.test')
    assert.equal(again.status, 409)
    assert.equal(again.body.errors[0].code, 1061)
  })

  it('refuses routes that would reach a zone of another account', async () => {
    const outer = (await createZone('outer.test')).body.result
    await seedAccountScript(t, 'catcher')
    // zones stored before the no-nesting rule: another account holds a name inside ours
    await t.platform.store.zones.create(other.accountId as never, 'inner.outer.test')
    const post = (pattern: string) =>
      t.json(`/zones/${outer.id}/workers/routes`, { method: 'POST', ...jsonBody({ pattern, script: 'catcher' }) })
    for (const pattern of ['*outer.test/*', '*.outer.test/*', 'inner.outer.test/*', 'x.inner.outer.test/*', '*inner.outer.test/*']) {
      const res = await post(pattern)
      assert.equal(res.status, 400, `${pattern}: ${JSON.stringify(res.body)}`)
      assert.equal(res.body.errors[0].code, 10022, pattern)
      assert.equal(res.body.errors[0].message, `Route pattern must include zone name: ${pattern}`, 'as for any foreign pattern')
    }
    for (const pattern of ['outer.test/*', 'www.outer.test/*', '*/*']) assert.equal((await post(pattern)).status, 200, pattern)
    // wrangler's per-script PUT is held to the same rule
    const put = await t.json(`/accounts/${t.accountId}/workers/scripts/catcher/routes`, {
      method: 'PUT',
      ...jsonBody([{ pattern: '*.outer.test/*', zone_name: 'outer.test' }]),
    })
    assert.equal(put.status, 400)
    assert.equal(put.body.errors[0].code, 10022)
  })
})
