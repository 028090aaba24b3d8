import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { defaultHost, edge, putScript } from '../helpers/edge.js'
import { jsonBody, startTestPlatform, type TestPlatform } from '../helpers/platform.js'

const hello = (name: string) => `export default { fetch(req) { return new Response('${name} ' + new URL(req.url).pathname) } }`

describe('edge routing: zones, routes and default hostnames', () => {
  let t: TestPlatform
  let other: { accountId: string; token: string }

  const zone = async (name: string, accountId: string, token?: string) => {
    const res = await t.json('/zones', { method: 'POST', ...jsonBody({ name, account: { id: accountId } }), ...(token ? { token } : {}) })
    assert.equal(res.status, 200, JSON.stringify(res.body))
    return res.body.result.id as string
  }
  const route = async (zoneId: string, pattern: string, script: string, token?: string) => {
    const res = await t.json(`/zones/${zoneId}/workers/routes`, { method: 'POST', ...jsonBody({ pattern, script }), ...(token ? { token } : {}) })
    assert.equal(res.status, 200, JSON.stringify(res.body))
  }

  before(async () => {
    t = await startTestPlatform()
    other = await t.otherAccount()
    for (const name of ['victim', 'shop', 'api']) {
      const res = await putScript(t, `/accounts/${t.accountId}/workers/scripts/${name}`, hello(name))
      assert.equal(res.status, 200, JSON.stringify(res.body))
    }
    const thief = await putScript(t, `/accounts/${other.accountId}/workers/scripts/thief`, hello('thief'), {}, [], other.token)
    assert.equal(thief.status, 200, JSON.stringify(thief.body))
    const example = await zone('example.com', t.accountId)
    await route(example, '*.shop.example.com/*', 'shop')
    await route(example, 'api.shop.example.com/v1/*', 'api')
    const theirs = await zone('thief.test', other.accountId, other.token)
    await route(theirs, '*/*', 'thief', other.token)
  })
  after(() => t.close())

  it('routes hostnames of a zone by its routes, most specific first', async () => {
    assert.equal((await edge(t, 'www.shop.example.com', '/cart')).text, 'shop /cart')
    assert.equal((await edge(t, 'api.shop.example.com', '/v1/items')).text, 'api /v1/items')
    assert.equal((await edge(t, 'api.shop.example.com', '/v2/items')).text, 'shop /v2/items')
    assert.equal((await edge(t, 'example.com', '/')).status, 404, 'no route matches the apex')
  })

  it("never lets one account's catch-all route capture another account's hostnames", async () => {
    assert.equal((await edge(t, await defaultHost(t, 'victim'), '/')).text, 'victim /')
    assert.equal((await edge(t, 'www.shop.example.com', '/')).text, 'shop /')
    assert.equal((await edge(t, 'anything.thief.test', '/x')).text, 'thief /x')
    assert.equal((await edge(t, 'unknown.example.org', '/')).status, 404)
  })

  it("honours a script's workers.dev switch on its default hostname, and keeps its routes", async () => {
    const off = await t.json(`/accounts/${t.accountId}/workers/scripts/shop/subdomain`, { method: 'POST', ...jsonBody({ enabled: false }) })
    assert.equal(off.status, 200, JSON.stringify(off.body))
    assert.equal((await edge(t, await defaultHost(t, 'shop'), '/')).status, 404)
    assert.equal((await edge(t, 'www.shop.example.com', '/')).text, 'shop /')
    await t.json(`/accounts/${t.accountId}/workers/scripts/shop/subdomain`, { method: 'POST', ...jsonBody({ enabled: true }) })
    assert.equal((await edge(t, await defaultHost(t, 'shop'), '/')).text, 'shop /')
  })
})
