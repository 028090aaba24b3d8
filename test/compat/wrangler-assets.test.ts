import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { createNamespace, defaultHost, deployDispatcher, edge } from '../helpers/edge.js'
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js'
import { createWrangler, succeeded, type Wrangler } from '../helpers/wrangler.js'

const WORKER = `export default {
  async fetch(request, env) {
    const url = new URL(request.url)
    if (url.pathname.endsWith('/via-binding')) return env.ASSETS.fetch(new Request(new URL('/about', url)))
    return new Response('worker saw ' + url.pathname)
  },
}`

const PUBLIC = (release: string) => ({
  'public/index.html': `<h1>home ${release}</h1>`,
  'public/about.html': `<h1>about ${release}</h1>`,
  'public/404.html': 'nothing here',
  'public/css/site.css': 'body { color: red }',
})

// `wrangler deploy` with an [assets] directory, for account Workers and for user Workers of a
// dispatch namespace: wrangler's own manifest, hashes, upload session, bucket uploads and
// metadata.assets, then the edge serves what it uploaded.
describe('wrangler deploy with static assets', () => {
  let t: TestPlatform
  let site: Wrangler
  let staticOnly: Wrangler
  let tenant: Wrangler

  before(async () => {
    t = await startTestPlatform()
    site = createWrangler(t)
    staticOnly = createWrangler(t)
    tenant = createWrangler(t)
    site.write({
      'wrangler.toml': `
name = "site"
main = "src/index.js"
compatibility_date = "2025-06-01"
workers_dev = true

[assets]
directory = "./public"
binding = "ASSETS"
not_found_handling = "404-page"
run_worker_first = ["/api/*"]
`,
      'src/index.js': WORKER,
      ...PUBLIC('v1'),
      'public/api/ignored.json': '{}',
    })
    staticOnly.write({
      'wrangler.toml': 'name = "static-only"\ncompatibility_date = "2025-06-01"\nworkers_dev = true\n\n[assets]\ndirectory = "./public"\n',
      ...PUBLIC('static'),
    })
    // Dated today, as `wrangler init` writes it: newer than the installed workerd knows.
    const today = new Date().toISOString().slice(0, 10)
    tenant.write({
      'wrangler.toml': `name = "tenant-site"\nmain = "src/index.js"\ncompatibility_date = "${today}"\n\n[assets]\ndirectory = "./public"\nbinding = "ASSETS"\n`,
      'src/index.js': WORKER,
      ...PUBLIC('tenant'),
    })
  })
  after(async () => {
    for (const w of [site, staticOnly, tenant]) w?.close()
    await t?.close()
  })

  it('first deploy uploads the assets and the edge serves them before the Worker', async () => {
    const r = succeeded(await site.run(['deploy']))
    assert.match(r.stdout, /Uploaded site/)
    assert.match(r.stdout, /env\.ASSETS\s+Assets/)
    const host = await defaultHost(t, 'site')
    assert.equal((await edge(t, host, '/')).text, '<h1>home v1</h1>')
    assert.equal((await edge(t, host, '/about')).text, '<h1>about v1</h1>')
    assert.equal((await edge(t, host, '/css/site.css')).headers['content-type'], 'text/css; charset=utf-8')
    const missing = await edge(t, host, '/no/such/page')
    assert.equal(missing.status, 404)
    assert.equal(missing.text, 'nothing here')
    assert.equal((await edge(t, host, '/api/ignored.json')).text, 'worker saw /api/ignored.json')
    // With run_worker_first rules, paths outside them get the 404 page, not the Worker (Cloudflare's rule).
    assert.equal((await edge(t, host, '/elsewhere')).text, 'nothing here')
    assert.equal((await edge(t, host, '/api/via-binding')).text, '<h1>about v1</h1>')
  })

  it('redeploy uploads only what changed and serves the new assets', async () => {
    site.write({ 'public/about.html': '<h1>about v2</h1>' })
    const r = succeeded(await site.run(['deploy']))
    assert.match(r.stdout, /Uploaded 1 of|\+ \/about\.html/, r.stdout)
    const host = await defaultHost(t, 'site')
    assert.equal((await edge(t, host, '/about')).text, '<h1>about v2</h1>')
    assert.equal((await edge(t, host, '/')).text, '<h1>home v1</h1>')
  })

  it('deploys an assets-only Worker', async () => {
    succeeded(await staticOnly.run(['deploy']))
    const host = await defaultHost(t, 'static-only')
    assert.equal((await edge(t, host, '/')).text, '<h1>home static</h1>')
    assert.equal((await edge(t, host, '/nothing')).status, 404)
    const details = await t.json(`/accounts/${t.accountId}/workers/scripts/static-only/settings`)
    assert.equal(details.status, 200, JSON.stringify(details.body))
  })

  it('deploy --dispatch-namespace uploads a user Worker with assets that the dispatch Worker reaches', async () => {
    await createNamespace(t, 'production')
    const host = await deployDispatcher(
      t,
      'production',
      `export default { fetch(request, env) { return env.dispatcher.get(request.headers.get('x-tenant')).fetch(request) } }`,
    )
    succeeded(await tenant.run(['deploy', '--dispatch-namespace', 'production']))
    const script = await t.json(`/accounts/${t.accountId}/workers/dispatch/namespaces/production/scripts/tenant-site`)
    assert.equal(script.status, 200)
    assert.equal(script.body.result.script.has_assets, true, JSON.stringify(script.body))
    const via = (path: string) => edge(t, host, path, { headers: { 'x-tenant': 'tenant-site' } })
    assert.equal((await via('/')).text, '<h1>home tenant</h1>')
    assert.equal((await via('/dynamic')).text, 'worker saw /dynamic')
    assert.equal((await via('/via-binding')).text, '<h1>about tenant</h1>')
  })
})
