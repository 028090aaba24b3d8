import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { defaultHost, edge } from '../helpers/edge.js'
import { jsonBody, startTestPlatform, type TestPlatform } from '../helpers/platform.js'
import { createWrangler, describeRun, succeeded, type Wrangler, type WranglerResult } from '../helpers/wrangler.js'

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/

/** The version wrangler reports having deployed. */
const currentVersionId = (r: WranglerResult): string => {
  const id = new RegExp(`Current Version ID: (${UUID.source})`).exec(r.stdout)?.[1]
  assert.ok(id, describeRun(r))
  return id
}

/**
 * The platform's dispatch Worker: `/` greets with its vars and KV, `/_secret` shows a secret, any
 * other `/<name>` goes to that user Worker of the namespace.
 */
const dispatcherSource = (release: string) => `
export default {
  async fetch(request, env) {
    const url = new URL(request.url)
    if (url.pathname === '/') return new Response(env.GREETING + ' ${release} ' + (await env.ROUTES.get('motd')))
    if (url.pathname === '/_secret') return new Response(env.MY_SECRET ?? 'no secret')
    const name = url.pathname.split('/')[1]
    try {
      return await env.dispatcher.get(name).fetch(request)
    } catch (e) {
      return new Response('dispatch failed: ' + e.message, { status: 502 })
    }
  },
}
`

const userSource = (release: string) => `export default { fetch() { return new Response('customer-a ${release}') } }`

/** A second dispatch Worker, on a zone route: `<tenant>.shop.example.com` goes to that tenant. */
const SHOP_SOURCE = `
export default {
  fetch(request, env) {
    const tenant = new URL(request.url).hostname.split('.')[0]
    return env.dispatcher.get(tenant).fetch(request)
  },
}
`

describe('wrangler deploy, secret, versions and deployments against Workerhive', () => {
  let t: TestPlatform
  let dispatcher: Wrangler
  let user: Wrangler
  let shop: Wrangler
  let kvId: string
  let host: string
  const a = () => `/accounts/${t.accountId}/workers`

  before(async () => {
    t = await startTestPlatform()
    dispatcher = createWrangler(t)
    user = createWrangler(t)
    shop = createWrangler(t)
    const kv = await t.json(`/accounts/${t.accountId}/storage/kv/namespaces`, { method: 'POST', ...jsonBody({ title: 'routing' }) })
    kvId = kv.body.result.id
    await t.api(`/accounts/${t.accountId}/storage/kv/namespaces/${kvId}/values/motd`, { method: 'PUT', body: 'from KV' })
    host = await defaultHost(t, 'dispatcher')
    dispatcher.write({
      'wrangler.toml': `
name = "dispatcher"
main = "src/index.js"
compatibility_date = "2025-06-01"
workers_dev = true

[[dispatch_namespaces]]
binding = "dispatcher"
namespace = "production"

[[kv_namespaces]]
binding = "ROUTES"
id = "${kvId}"

[vars]
GREETING = "hello"
`,
      'src/index.js': dispatcherSource('v1'),
    })
    user.write({
      'wrangler.toml': 'name = "customer-a"\nmain = "src/index.js"\ncompatibility_date = "2025-06-01"\n',
      'src/index.js': userSource('v1'),
    })
  })
  after(async () => {
    for (const w of [dispatcher, user, shop]) w?.close()
    await t?.close()
  })

  const deployments = async (script: string) =>
    (await t.json(`${a()}/scripts/${script}/deployments`)).body.result.deployments as Array<{
      versions: Array<{ version_id: string; percentage: number }>
    }>

  it('first deploy of the dispatch Worker creates its namespace, uploads it and serves it on workers.dev', async () => {
    const r = succeeded(await dispatcher.run(['deploy']))
    assert.match(r.stdout, /Creating new Dispatch Namespace "production"/)
    assert.match(r.stdout, /Uploaded dispatcher/)
    assert.match(r.stdout, /env\.dispatcher \(production\)\s+Dispatch Namespace/)
    assert.match(r.stdout, new RegExp(`env\\.ROUTES \\(${kvId}\\)\\s+KV Namespace`))
    assert.match(r.stdout, /env\.GREETING \("hello"\)\s+Environment Variable/)
    assert.ok(r.stdout.includes(host), r.stdout)
    const version = currentVersionId(r)

    const ns = await t.json(`${a()}/dispatch/namespaces/production`)
    assert.equal(ns.status, 200)
    const [deployment, ...older] = await deployments('dispatcher')
    assert.deepEqual(older, [])
    assert.deepEqual(deployment?.versions, [{ version_id: version, percentage: 100 }])
    const bindings = (await t.json(`${a()}/scripts/dispatcher/settings`)).body.result.bindings
    assert.deepEqual(
      bindings.map((b: { type: string; name: string }) => `${b.type}:${b.name}`).sort(),
      ['dispatch_namespace:dispatcher', 'kv_namespace:ROUTES', 'plain_text:GREETING'],
    )
    const subdomain = (await t.json(`${a()}/scripts/dispatcher/subdomain`)).body.result
    assert.equal(subdomain.enabled, true)

    assert.equal((await edge(t, host, '/')).text, 'hello v1 from KV')
  })

  it('redeploy goes through versions and deployments, inheriting the dispatch binding', async () => {
    dispatcher.write({ 'src/index.js': dispatcherSource('v2') })
    const r = succeeded(await dispatcher.run(['deploy']))
    assert.match(r.stdout, /env\.dispatcher \(inherited\)\s+Dispatch Namespace/)
    const version = currentVersionId(r)

    const versions = (await t.json(`${a()}/scripts/dispatcher/versions`)).body.result.items as Array<{ id: string }>
    assert.equal(versions.length, 2)
    assert.equal(versions[0]!.id, version)
    const [latest, first] = await deployments('dispatcher')
    assert.deepEqual(latest?.versions, [{ version_id: version, percentage: 100 }])
    assert.ok(first)
    const bindings = (await t.json(`${a()}/scripts/dispatcher/settings`)).body.result.bindings
    assert.deepEqual(
      bindings.find((b: { name: string }) => b.name === 'dispatcher'),
      { type: 'dispatch_namespace', name: 'dispatcher', namespace: 'production' },
    )
    const settings = (await t.json(`${a()}/scripts/dispatcher/script-settings`)).body.result
    assert.deepEqual(settings.tags, [])
    assert.equal(settings.observability?.enabled, false)

    assert.equal((await edge(t, host, '/')).text, 'hello v2 from KV')
  })

  it('deploy --dispatch-namespace uploads a user Worker the dispatch Worker reaches, then replaces it', async () => {
    assert.equal((await edge(t, host, '/customer-a')).status, 502)

    const first = succeeded(await user.run(['deploy', '--dispatch-namespace', 'production']))
    assert.match(first.stdout, /Uploaded customer-a/)
    assert.match(first.stdout, /Dispatch Namespace: production/)
    const script = await t.json(`${a()}/dispatch/namespaces/production/scripts/customer-a`)
    assert.equal(script.status, 200)
    assert.equal((await edge(t, host, '/customer-a')).text, 'customer-a v1')

    user.write({ 'src/index.js': userSource('v2') })
    succeeded(await user.run(['deploy', '--dispatch-namespace', 'production']))
    assert.equal((await edge(t, host, '/customer-a')).text, 'customer-a v2')
    // A namespace script is not an account Worker: nothing leaked to the account-level list.
    const accountScripts = (await t.json(`${a()}/scripts`)).body.result.map((s: { id: string }) => s.id)
    assert.deepEqual(accountScripts, ['dispatcher'])
  })

  it('deploy with a zone route: the route is stored and the edge serves the zone through it', async () => {
    const zone = await t.json('/zones', { method: 'POST', ...jsonBody({ name: 'example.com', account: { id: t.accountId } }) })
    assert.equal(zone.status, 200)
    shop.write({
      'wrangler.toml': `
name = "shop"
main = "src/index.js"
compatibility_date = "2025-06-01"
routes = [{ pattern = "*.shop.example.com/*", zone_name = "example.com" }]

[[dispatch_namespaces]]
binding = "dispatcher"
namespace = "production"
`,
      'src/index.js': SHOP_SOURCE,
    })
    const r = succeeded(await shop.run(['deploy']))
    assert.match(r.stdout, /\*\.shop\.example\.com\/\* \(zone name: example\.com\)/)
    const routes = (await t.json(`/zones/${zone.body.result.id}/workers/routes`)).body.result
    assert.deepEqual(
      routes.map((x: { pattern: string; script: string }) => [x.pattern, x.script]),
      [['*.shop.example.com/*', 'shop']],
    )
    assert.equal((await edge(t, 'customer-a.shop.example.com', '/')).text, 'customer-a v2')

    // The route already belongs to this Worker, so a redeploy keeps it rather than failing.
    succeeded(await shop.run(['deploy']))
    assert.equal((await t.json(`/zones/${zone.body.result.id}/workers/routes`)).body.result.length, 1)
  })

  it('secret put: the value reaches the Worker and never comes back out of the API', async () => {
    const put = succeeded(await dispatcher.run(['secret', 'put', 'MY_SECRET', '--name', 'dispatcher'], { input: 's3cr3t-value' }))
    assert.match(put.stdout, /Success! Uploaded secret MY_SECRET/)
    assert.equal((await edge(t, host, '/_secret')).text, 's3cr3t-value')

    const list = succeeded(await dispatcher.run(['secret', 'list', '--name', 'dispatcher']))
    assert.deepEqual(JSON.parse(list.stdout), [{ name: 'MY_SECRET', type: 'secret_text' }])
    const apiViews = [
      await t.json(`${a()}/scripts/dispatcher/secrets`),
      await t.json(`${a()}/scripts/dispatcher/secrets/MY_SECRET`),
      await t.json(`${a()}/scripts/dispatcher/settings`),
      await t.json(`${a()}/scripts/dispatcher/versions`),
    ]
    for (const view of apiViews) {
      assert.equal(view.status, 200)
      assert.ok(!JSON.stringify(view.body).includes('s3cr3t-value'), JSON.stringify(view.body))
    }

    // A redeploy keeps the secret (wrangler asks to keep secret bindings).
    dispatcher.write({ 'src/index.js': dispatcherSource('v3') })
    succeeded(await dispatcher.run(['deploy']))
    assert.equal((await edge(t, host, '/_secret')).text, 's3cr3t-value')

    const del = succeeded(await dispatcher.run(['secret', 'delete', 'MY_SECRET', '--name', 'dispatcher']))
    assert.match(del.stdout, /Success! Deleted secret MY_SECRET/)
    assert.equal((await edge(t, host, '/_secret')).text, 'no secret')
    assert.deepEqual(JSON.parse(succeeded(await dispatcher.run(['secret', 'list', '--name', 'dispatcher'])).stdout), [])
  })

  it('secret put on a Worker that does not exist creates it first', async () => {
    const r = succeeded(await dispatcher.run(['secret', 'put', 'TOKEN', '--name', 'fresh-worker'], { input: 'abc' }))
    assert.match(r.stdout, /Creating new Worker "fresh-worker"/)
    const secrets = (await t.json(`${a()}/scripts/fresh-worker/secrets`)).body.result
    assert.deepEqual(secrets, [{ name: 'TOKEN', type: 'secret_text' }])
  })

  it('versions list and deployments list show what the deploys and secret changes made', async () => {
    const apiVersions = (await t.json(`${a()}/scripts/dispatcher/versions`)).body.result.items as Array<{ id: string }>
    const listed = succeeded(await dispatcher.run(['versions', 'list', '--name', 'dispatcher', '--json']))
    assert.deepEqual(
      (JSON.parse(listed.stdout) as Array<{ id: string }>).map((v) => v.id).sort(),
      apiVersions.map((v) => v.id).sort(),
    )
    const human = succeeded(await dispatcher.run(['versions', 'list', '--name', 'dispatcher']))
    for (const v of apiVersions) assert.ok(human.stdout.includes(`Version ID:  ${v.id}`), human.stdout)
    assert.match(human.stdout, /Author:\s+admin@workerhive\.local/)
    assert.match(human.stdout, /Source:\s+Secret Change/)

    const current = (await deployments('dispatcher'))[0]!.versions[0]!.version_id
    const deps = succeeded(await dispatcher.run(['deployments', 'list', '--name', 'dispatcher']))
    assert.ok(deps.stdout.includes(`(100%) ${current}`), deps.stdout)
    const depsJson = JSON.parse(succeeded(await dispatcher.run(['deployments', 'list', '--name', 'dispatcher', '--json'])).stdout)
    assert.equal(depsJson.length, (await deployments('dispatcher')).length)
    assert.match(current, UUID)
  })
})
