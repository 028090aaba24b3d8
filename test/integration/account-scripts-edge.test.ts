import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { edge } from '../helpers/edge.js'
import { jsonBody, startTestPlatform, type TestPlatform } from '../helpers/platform.js'
import { moduleWorker, wranglerForm } from './helpers/account-scripts.js'

/**
 * What the account-script, route and subdomain APIs change must reach the edge on the very next
 * request: each change notifies it before answering.
 */
describe('account Workers through the edge', () => {
  let t: TestPlatform
  let a: string
  before(async () => {
    t = await startTestPlatform()
    a = `/accounts/${t.accountId}/workers`
  })
  after(() => t.close())

  const deploy = (name: string, reply: string) =>
    t.json(`${a}/scripts/${name}?excludeScript=true&bindings_inherit=strict`, {
      method: 'PUT',
      body: wranglerForm({ main_module: 'index.js', compatibility_date: '2025-06-01' }, [
        moduleWorker(`return new Response(${JSON.stringify(reply)})`),
      ]),
    })

  it('serves a new Worker on its default hostname, and a redeployed version on the next request', async () => {
    assert.equal((await deploy('hello', 'v1')).status, 200)
    const first = await edge(t, 'hello.admin.localhost')
    assert.equal(first.status, 200)
    assert.equal(first.text, 'v1')

    const version = await t.json(`${a}/scripts/hello/versions?bindings_inherit=strict`, {
      method: 'POST',
      body: wranglerForm({ main_module: 'index.js', compatibility_date: '2025-06-01' }, [
        moduleWorker("return new Response('v2')"),
      ]),
    })
    assert.equal((await edge(t, 'hello.admin.localhost')).text, 'v1', 'an uploaded version is not live yet')
    const deployed = await t.json(`${a}/scripts/hello/deployments`, {
      method: 'POST',
      ...jsonBody({ strategy: 'percentage', versions: [{ version_id: version.body.result.id, percentage: 100 }] }),
    })
    assert.equal(deployed.status, 200)
    assert.equal((await edge(t, 'hello.admin.localhost')).text, 'v2')
  })

  it('sends requests matching a route to its Worker, the most specific route first', async () => {
    await deploy('shops', 'shops')
    await deploy('api', 'api')
    await t.json('/zones', { method: 'POST', ...jsonBody({ name: 'example.com', account: { id: t.accountId } }) })
    const shops = await t.json(`${a}/scripts/shops/routes`, {
      method: 'PUT',
      ...jsonBody([{ pattern: '*.shop.example.com/*', zone_name: 'example.com' }]),
    })
    assert.equal(shops.status, 200)
    await t.json(`${a}/scripts/api/routes`, {
      method: 'PUT',
      ...jsonBody([{ pattern: 'acme.shop.example.com/api/*', zone_name: 'example.com' }]),
    })
    assert.equal((await edge(t, 'acme.shop.example.com', '/cart')).text, 'shops')
    assert.equal((await edge(t, 'acme.shop.example.com', '/api/orders')).text, 'api')
    assert.equal((await edge(t, 'other.shop.example.com', '/api/orders')).text, 'shops')
    assert.equal((await edge(t, 'www.example.com', '/')).status, 404, 'no route matches')

    await t.json(`${a}/scripts/api/routes`, { method: 'PUT', ...jsonBody([]) })
    assert.equal((await edge(t, 'acme.shop.example.com', '/api/orders')).text, 'shops', 'the removed route is gone')
  })

  it('moves default hostnames when the account subdomain changes', async () => {
    await deploy('moving', 'moving')
    assert.equal((await edge(t, 'moving.admin.localhost')).text, 'moving')
    await t.json(`${a}/subdomain`, { method: 'PUT', ...jsonBody({ subdomain: 'renamed' }) })
    assert.equal((await edge(t, 'moving.renamed.localhost')).text, 'moving')
    assert.equal((await edge(t, 'moving.admin.localhost')).status, 404)
  })

  it('stops serving a deleted Worker', async () => {
    await deploy('doomed', 'doomed')
    assert.equal((await edge(t, 'doomed.renamed.localhost')).text, 'doomed')
    await t.json(`${a}/scripts/doomed`, { method: 'DELETE' })
    assert.notEqual((await edge(t, 'doomed.renamed.localhost')).text, 'doomed')
  })
})
