import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { uploadAssets, type AssetFileSpec } from '../helpers/assets.js'
import { createNamespace, deployDispatcher, edge, namespaceScriptPath, putScript } from '../helpers/edge.js'
import { jsonBody, startTestPlatform, type TestPlatform } from '../helpers/platform.js'

/** Dispatches by the x-tenant header, leaving the path alone (asset paths must arrive unchanged). */
const HEADER_DISPATCHER = `export default {
  async fetch(request, env) {
    try { return await env.dispatcher.get(request.headers.get('x-tenant')).fetch(request) }
    catch (e) { return new Response('dispatch failed: ' + e.message, { status: 502 }) }
  },
}`

const WORKER = `export default {
  async fetch(request, env) {
    const url = new URL(request.url)
    if (url.pathname === '/via-binding') return env.ASSETS.fetch(new Request(new URL('/about', url)))
    return new Response('worker: ' + request.method + ' ' + url.pathname)
  },
}`

const SITE: Record<string, AssetFileSpec> = {
  '/index.html': { content: '<h1>home</h1>', type: 'text/html; charset=utf-8' },
  '/about.html': { content: '<h1>about</h1>', type: 'text/html; charset=utf-8' },
  '/blog/index.html': { content: '<h1>blog</h1>', type: 'text/html; charset=utf-8' },
  '/app.js': { content: 'console.log(1)', type: 'text/javascript; charset=utf-8' },
  '/404.html': { content: 'top-level not found', type: 'text/html; charset=utf-8' },
  '/docs/404.html': { content: 'docs not found', type: 'text/html; charset=utf-8' },
  '/api/data.json': { content: '{"from":"asset"}', type: 'application/json' },
  '/api/docs/index.html': { content: 'api docs', type: 'text/html; charset=utf-8' },
}

describe('static assets: upload sessions, serving and the ASSETS binding', () => {
  let t: TestPlatform
  let host: string
  const sessionPath = (script: string) => `${namespaceScriptPath(t, 'sites', script)}/assets-upload-session`
  const get = (tenant: string, path: string, headers: Record<string, string> = {}, method: 'GET' | 'POST' = 'GET') =>
    edge(t, host, path, { method, headers: { 'x-tenant': tenant, ...headers } })

  /** Uploads the SITE files and a script using them, with an asset config and optional Worker code. */
  const deploySite = async (script: string, config: Record<string, unknown>, code: string | null = WORKER, files = SITE) => {
    const { jwt } = await uploadAssets(t, sessionPath(script), files)
    const metadata: Record<string, unknown> = { assets: { jwt, config } }
    if (code === null) {
      const form = new FormData()
      form.set('metadata', JSON.stringify({ ...metadata, compatibility_date: '2026-01-01' }))
      return t.json(namespaceScriptPath(t, 'sites', script), { method: 'PUT', body: form })
    }
    return putScript(t, namespaceScriptPath(t, 'sites', script), code, { ...metadata, bindings: [{ type: 'assets', name: 'ASSETS' }] })
  }

  before(async () => {
    t = await startTestPlatform()
    await createNamespace(t, 'sites')
    host = await deployDispatcher(t, 'sites', HEADER_DISPATCHER)
  })
  after(() => t.close())

  it('asks only for missing files, and hands out the completion token when nothing is missing', async () => {
    const first = await uploadAssets(t, sessionPath('dedupe'), { '/a.txt': { content: 'a' }, '/b.txt': { content: 'b' } })
    assert.deepEqual(first.buckets.flat().length, 2)
    assert.equal(first.uploads.at(-1)?.status, 201)
    assert.equal(typeof first.uploads.at(-1)?.body.result.jwt, 'string')
    const payload = JSON.parse(Buffer.from(first.jwt.split('.')[1]!, 'base64url').toString())
    assert.equal(typeof payload.exp, 'number')
    const again = await uploadAssets(t, sessionPath('dedupe'), { '/a.txt': { content: 'a' }, '/c.txt': { content: 'c' } })
    assert.equal(again.buckets.flat().length, 1, 'only the new file is asked for')
    const none = await uploadAssets(t, sessionPath('dedupe'), { '/a.txt': { content: 'a' } })
    assert.deepEqual(none.buckets, [])
    assert.equal(none.uploads.length, 0)
  })

  it('opens the upload endpoint only to a live session token', async () => {
    const form = () => {
      const f = new FormData()
      f.append('0'.repeat(32), new File([Buffer.from('x').toString('base64')], '0'.repeat(32)))
      return f
    }
    const path = `/accounts/${t.accountId}/workers/assets/upload?base64=true`
    const apiToken = await t.json(path, { method: 'POST', body: form() })
    assert.equal(apiToken.status, 401)
    assert.equal(apiToken.body.errors[0].code, 10000)
    const forged = await t.json(path, { method: 'POST', body: form(), headers: { authorization: 'Bearer a.b.c' } })
    assert.equal(forged.status, 401)
    const session = await t.json(sessionPath('guarded'), {
      method: 'POST',
      ...jsonBody({ manifest: { '/x.txt': { hash: 'f'.repeat(32), size: 1 } } }),
    })
    const stranger = await t.json(path, { method: 'POST', body: form(), headers: { authorization: `Bearer ${session.body.result.jwt}` } })
    assert.equal(stranger.status, 400, 'a hash outside the manifest is refused')
    // The token opens the upload endpoint only, even on a path that merely ends like it.
    const kv = await t.json(`/accounts/${t.accountId}/storage/kv/namespaces`, {
      method: 'POST',
      ...jsonBody({ title: 'not-for-uploaders' }),
    })
    const sneaky = await t.json(
      `/accounts/${t.accountId}/storage/kv/namespaces/${kv.body.result.id}/values/x/accounts/${t.accountId}/workers/assets/upload`,
      { method: 'PUT', body: 'planted', headers: { authorization: `Bearer ${session.body.result.jwt}` } },
    )
    assert.equal(sneaky.status, 401)
    const notBase64 = new FormData()
    notBase64.append('f'.repeat(32), new File(['!!not base64!!'], 'f'.repeat(32)))
    const garbled = await t.json(path, { method: 'POST', body: notBase64, headers: { authorization: `Bearer ${session.body.result.jwt}` } })
    assert.equal(garbled.status, 400)
    const wrongSize = new FormData()
    wrongSize.append('f'.repeat(32), new File([Buffer.from('too long').toString('base64')], 'f'.repeat(32)))
    const mismatch = await t.json(path, { method: 'POST', body: wrongSize, headers: { authorization: `Bearer ${session.body.result.jwt}` } })
    assert.equal(mismatch.status, 400)
    assert.match(mismatch.body.errors[0].message, /manifest says 1/)
    const bad = await t.json(sessionPath('guarded'), {
      method: 'POST',
      ...jsonBody({ manifest: { 'no-slash': { hash: 'f'.repeat(32), size: 1 } } }),
    })
    assert.equal(bad.status, 400)
    assert.equal(bad.body.errors[0].code, 10021)
  })

  it('serves assets before the Worker with auto-trailing-slash, and the Worker for the rest', async () => {
    const up = await deploySite('site', {})
    assert.equal(up.status, 200, JSON.stringify(up.body))
    assert.equal(up.body.result.has_assets, true)

    const home = await get('site', '/')
    assert.equal(home.status, 200)
    assert.equal(home.text, '<h1>home</h1>')
    assert.equal(home.headers['content-type'], 'text/html; charset=utf-8')
    assert.equal(home.headers['cache-control'], 'public, max-age=0, must-revalidate')
    assert.match(String(home.headers['etag']), /^"[0-9a-f]{32}"$/)
    assert.equal((await get('site', '/about')).text, '<h1>about</h1>')
    assert.equal((await get('site', '/blog/')).text, '<h1>blog</h1>')
    for (const [from, to] of [['/about.html', '/about'], ['/blog', '/blog/'], ['/index.html', '/'], ['/blog/index.html', '/blog/']]) {
      const r = await get('site', from!)
      assert.equal(r.status, 307, from)
      assert.equal(r.headers['location'], to, from)
    }
    assert.equal((await get('site', '/app.js')).headers['content-type'], 'text/javascript; charset=utf-8')
    assert.equal((await get('site', '/not-an-asset')).text, 'worker: GET /not-an-asset')
    assert.equal((await get('site', '/about', {}, 'POST')).status, 405)
    const notModified = await get('site', '/', { 'if-none-match': String(home.headers['etag']) })
    assert.equal(notModified.status, 304)
    assert.equal((await get('site', '/via-binding')).text, '<h1>about</h1>')
  })

  it('serves an assets-only Worker with the nearest 404.html', async () => {
    const up = await deploySite('static-only', { not_found_handling: '404-page' }, null)
    assert.equal(up.status, 200, JSON.stringify(up.body))
    assert.equal((await get('static-only', '/about')).text, '<h1>about</h1>')
    const docs = await get('static-only', '/docs/missing/page')
    assert.equal(docs.status, 404)
    assert.equal(docs.text, 'docs not found')
    const top = await get('static-only', '/nowhere')
    assert.equal(top.status, 404)
    assert.equal(top.text, 'top-level not found')
  })

  it('gives browser navigations the SPA shell and leaves other requests to the Worker', async () => {
    await deploySite('spa', { not_found_handling: 'single-page-application' })
    const nav = await get('spa', '/dashboard/settings', { 'sec-fetch-mode': 'navigate' })
    assert.equal(nav.status, 200)
    assert.equal(nav.text, '<h1>home</h1>')
    assert.equal((await get('spa', '/dashboard/settings')).text, 'worker: GET /dashboard/settings')
  })

  it('runs the Worker first for run_worker_first paths, except the negated ones', async () => {
    const up = await deploySite('api', { run_worker_first: ['/api/*', '!/api/docs/*'] })
    assert.equal(up.status, 200, JSON.stringify(up.body))
    assert.equal((await get('api', '/api/data.json')).text, 'worker: GET /api/data.json')
    assert.equal((await get('api', '/api/docs/')).text, 'api docs')
    assert.equal((await get('api', '/about')).text, '<h1>about</h1>')
    await deploySite('all-worker', { run_worker_first: true })
    assert.equal((await get('all-worker', '/about')).text, 'worker: GET /about')
    assert.equal((await get('all-worker', '/via-binding')).text, '<h1>about</h1>')
  })

  it('applies _redirects and _headers', async () => {
    const up = await deploySite('rules', {
      _redirects: '/old /about 301\n/blog/* /posts/:splat\n/home / 200\n',
      _headers: '/app.js\n  X-Content-Type-Options: nosniff\n/*\n  X-Site: rules\n',
    })
    assert.equal(up.status, 200, JSON.stringify(up.body))
    const old = await get('rules', '/old')
    assert.equal(old.status, 301)
    assert.equal(old.headers['location'], '/about')
    const splat = await get('rules', '/blog/2026/hello?ref=x')
    assert.equal(splat.status, 302)
    assert.equal(splat.headers['location'], '/posts/2026/hello?ref=x')
    const rewritten = await get('rules', '/home')
    assert.equal(rewritten.status, 200)
    assert.equal(rewritten.text, '<h1>home</h1>')
    const js = await get('rules', '/app.js')
    assert.equal(js.headers['x-content-type-options'], 'nosniff')
    assert.equal(js.headers['x-site'], 'rules')
  })

  it('refuses tokens of other scripts, unknown tokens and incomplete uploads, and keeps the version serving', async () => {
    await deploySite('guard', {})
    const other = await uploadAssets(t, sessionPath('someone-else'), { '/index.html': { content: 'theirs' } })
    const stolen = await putScript(t, namespaceScriptPath(t, 'sites', 'guard'), WORKER, { assets: { jwt: other.jwt } })
    assert.equal(stolen.status, 400)
    assert.equal(stolen.body.errors[0].code, 10021)
    assert.match(stolen.body.errors[0].message, /another script/)
    const garbage = await putScript(t, namespaceScriptPath(t, 'sites', 'guard'), WORKER, { assets: { jwt: 'not-a-token' } })
    assert.equal(garbage.status, 400)
    const session = await t.json(sessionPath('guard'), {
      method: 'POST',
      ...jsonBody({ manifest: { '/never.txt': { hash: 'e'.repeat(32), size: 3 } } }),
    })
    const incomplete = await putScript(t, namespaceScriptPath(t, 'sites', 'guard'), WORKER, { assets: { jwt: session.body.result.jwt } })
    assert.equal(incomplete.status, 400)
    assert.match(incomplete.body.errors[0].message, /never uploaded/)
    const binding = await putScript(t, namespaceScriptPath(t, 'sites', 'guard'), WORKER, { bindings: [{ type: 'assets', name: 'ASSETS' }] })
    assert.equal(binding.status, 400)
    assert.equal((await get('guard', '/about')).text, '<h1>about</h1>', 'the previous version still serves')
  })

  it('keeps assets with keep_assets and drops them with an upload that has none', async () => {
    await deploySite('keeper', {})
    const kept = await putScript(t, namespaceScriptPath(t, 'sites', 'keeper'), WORKER.replace('worker: ', 'v2: '), {
      keep_assets: true,
      bindings: [{ type: 'assets', name: 'ASSETS' }],
    })
    assert.equal(kept.status, 200, JSON.stringify(kept.body))
    assert.equal((await get('keeper', '/about')).text, '<h1>about</h1>')
    assert.equal((await get('keeper', '/nothing')).text, 'v2: GET /nothing')
    const dropped = await putScript(t, namespaceScriptPath(t, 'sites', 'keeper'), WORKER.replace('worker: ', 'v3: '))
    assert.equal(dropped.status, 200)
    assert.equal(dropped.body.result.has_assets, false)
    assert.equal((await get('keeper', '/about')).text, 'v3: GET /about')
  })
})
