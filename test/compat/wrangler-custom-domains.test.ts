import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { edge } from '../helpers/edge.js'
import { jsonBody, startTestPlatform, type TestPlatform } from '../helpers/platform.js'
import { createWrangler, describeRun, succeeded, type Wrangler } from '../helpers/wrangler.js'

const source = (name: string) =>
  `export default { fetch(req) { return new Response('${name} ' + req.headers.get('host') + new URL(req.url).pathname) } }`

describe('Workers Custom Domains: wrangler deploy with custom_domain routes and the domains API', () => {
  let t: TestPlatform
  let w: Wrangler
  let zoneId: string
  const domains = () => `/accounts/${t.accountId}/workers/domains`

  before(async () => {
    t = await startTestPlatform()
    w = createWrangler(t)
    const zone = await t.json('/zones', { method: 'POST', ...jsonBody({ name: 'shop-platform.net' }) })
    assert.equal(zone.status, 200, JSON.stringify(zone.body))
    zoneId = zone.body.result.id
  })
  after(() => {
    w.close()
    return t.close()
  })

  it('deploys a Worker on a Custom Domain and the edge serves the whole hostname with it', async () => {
    w.write({
      'wrangler.toml': `name = "storefront"
main = "src/index.js"
compatibility_date = "2026-01-01"
workers_dev = false
routes = [{ pattern = "shop.shop-platform.net", custom_domain = true }]
`,
      'src/index.js': source('storefront'),
    })
    const r = succeeded(await w.run(['deploy']))
    assert.match(r.stdout, /shop\.shop-platform\.net \(custom domain\)/, describeRun(r))
    assert.equal((await edge(t, 'shop.shop-platform.net', '/any/path')).text, 'storefront shop.shop-platform.net/any/path')
    assert.equal((await edge(t, 'other.shop-platform.net', '/')).status, 404, 'only that hostname')

    const list = await t.json(`${domains()}?service=storefront`)
    assert.equal(list.status, 200, JSON.stringify(list.body))
    assert.deepEqual(
      list.body.result.map((d: any) => [d.hostname, d.service, d.zone_id, d.zone_name]),
      [['shop.shop-platform.net', 'storefront', zoneId, 'shop-platform.net']],
    )
  })

  it('attaches, gets and detaches a domain through the API; bad input changes nothing', async () => {
    const put = await t.json(domains(), {
      method: 'PUT',
      ...jsonBody({ hostname: 'api.shop-platform.net', service: 'storefront', zone_id: zoneId, environment: 'production' }),
    })
    assert.equal(put.status, 200, JSON.stringify(put.body))
    assert.equal((await edge(t, 'api.shop-platform.net', '/v1')).text, 'storefront api.shop-platform.net/v1')
    const got = await t.json(`${domains()}/${put.body.result.id}`)
    assert.equal(got.body.result.hostname, 'api.shop-platform.net')

    const other = await t.otherAccount()
    const theirs = await t.json('/zones', { method: 'POST', ...jsonBody({ name: 'their-shop.net' }), token: other.token })
    assert.equal(theirs.status, 200)
    const refused = [
      await t.json(domains(), { method: 'PUT', ...jsonBody({ hostname: 'x.their-shop.net', service: 'storefront' }) }),
      await t.json(domains(), { method: 'PUT', ...jsonBody({ hostname: 'x.shop-platform.net', service: 'missing' }) }),
      await t.json(domains(), { method: 'PUT', ...jsonBody({ hostname: 'not a host', service: 'storefront' }) }),
    ]
    assert.deepEqual(refused.map((r) => [r.status, r.body.errors[0].code]), [[404, 10083], [404, 10007], [400, 1407]])
    assert.equal((await t.json(domains())).body.result.length, 2)

    const del = await t.json(`${domains()}/${put.body.result.id}`, { method: 'DELETE' })
    assert.equal(del.status, 200, JSON.stringify(del.body))
    assert.equal((await edge(t, 'api.shop-platform.net', '/v1')).status, 404)
    assert.equal((await t.json(`${domains()}/${put.body.result.id}`)).status, 404)
  })
})
