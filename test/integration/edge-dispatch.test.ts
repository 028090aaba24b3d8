import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import {
  createNamespace,
  defaultHost,
  deployDispatcher,
  edge,
  namespaceScriptPath,
  putScript,
} from '../helpers/edge.js'
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js'

// The seed document end to end: a namespace, the dispatch Worker, user Workers in both formats,
// requests through the edge by hostname, and the `Worker not found` path.
describe('edge: dynamic dispatch to user Workers', () => {
  let t: TestPlatform
  let host: string
  let kvId: string

  before(async () => {
    t = await startTestPlatform()
    await createNamespace(t, 'production')
    host = await deployDispatcher(t, 'production')
    const kv = await t.json(`/accounts/${t.accountId}/storage/kv/namespaces`, {
      method: 'POST',
      body: JSON.stringify({ title: 'customer-config' }),
      headers: { 'content-type': 'application/json' },
    })
    kvId = kv.body.result.id
  })
  after(() => t.close())

  it('runs a raw service-worker upload and an ES module with a KV binding, by hostname', async () => {
    const sw = await t.json(namespaceScriptPath(t, 'production', 'hello'), {
      method: 'PUT',
      headers: { 'content-type': 'application/javascript' },
      body: `addEventListener('fetch', event => {\n  event.respondWith(handleRequest(event.request));\n})\n\nasync function handleRequest(request) {\n  return new Response('Hello world');\n}`,
    })
    assert.equal(sw.status, 200, JSON.stringify(sw.body))
    await t.api(`/accounts/${t.accountId}/storage/kv/namespaces/${kvId}/values/greeting`, { method: 'PUT', body: 'hi from KV' })
    const esm = await putScript(
      t,
      namespaceScriptPath(t, 'production', 'customer-123'),
      `export default { async fetch(req, env) { return new Response('kv says: ' + await env.KV.get('greeting')) } }`,
      { bindings: [{ name: 'KV', type: 'kv_namespace', namespace_id: kvId }], tags: ['customer-123', 'staging', 'free-user'] },
    )
    assert.equal(esm.status, 200, JSON.stringify(esm.body))

    const hello = await edge(t, host, '/hello')
    assert.equal(hello.status, 200)
    assert.equal(hello.text, 'Hello world')
    const customer = await edge(t, host, '/customer-123')
    assert.equal(customer.text, 'kv says: hi from KV')
  })

  it('routes customer hostnames through a zone route to the dispatcher, which picks the Worker by hostname', async () => {
    const code = `export default { async fetch(request, env) {
      const name = new URL(request.url).hostname.split('.')[0]
      try { return await env.dispatcher.get(name).fetch(request) }
      catch (e) { return new Response(e.message, { status: e.message.startsWith('Worker not found') ? 404 : 500 }) }
    } }`
    const up = await putScript(t, `/accounts/${t.accountId}/workers/scripts/by-hostname`, code, {
      bindings: [{ type: 'dispatch_namespace', name: 'dispatcher', namespace: 'production' }],
    })
    assert.equal(up.status, 200, JSON.stringify(up.body))
    const zone = await t.json('/zones', {
      method: 'POST',
      body: JSON.stringify({ name: 'platform.example', account: { id: t.accountId } }),
      headers: { 'content-type': 'application/json' },
    })
    const route = await t.json(`/zones/${zone.body.result.id}/workers/routes`, {
      method: 'POST',
      body: JSON.stringify({ pattern: '*.platform.example/*', script: 'by-hostname' }),
      headers: { 'content-type': 'application/json' },
    })
    assert.equal(route.status, 200, JSON.stringify(route.body))
    assert.equal((await edge(t, 'hello.platform.example', '/')).text, 'Hello world')
    assert.equal((await edge(t, 'customer-123.platform.example', '/')).text, 'kv says: hi from KV')
    const missing = await edge(t, 'nobody.platform.example', '/')
    assert.equal(missing.status, 404)
    assert.match(missing.text, /^Worker not found/)
  })

  it('rejects fetch() with "Worker not found" for a missing script', async () => {
    const missing = await edge(t, host, '/nobody')
    assert.equal(missing.status, 404)
    assert.equal(missing.text, 'no such worker: nobody')
  })

  it('serves a re-upload on the very next request, keeps serving after a failed upload, and forgets a deleted script', async () => {
    const path = namespaceScriptPath(t, 'production', 'versioned')
    for (const v of ['one', 'two', 'three']) {
      const up = await putScript(t, path, `export default { fetch() { return new Response('version ${v}') } }`)
      assert.equal(up.status, 200)
      assert.equal((await edge(t, host, '/versioned')).text, `version ${v}`)
    }
    const broken = await putScript(t, path, `export default { fetch() { return new Response('oops' }`)
    assert.equal(broken.status, 400)
    assert.equal(broken.body.errors[0].code, 10021)
    assert.equal((await edge(t, host, '/versioned')).text, 'version three')

    const del = await t.json(path, { method: 'DELETE' })
    assert.equal(del.status, 200)
    const gone = await edge(t, host, '/versioned')
    assert.equal(gone.status, 404)
    assert.equal(gone.text, 'no such worker: versioned')
  })

  it('keeps two namespaces apart: the same script name in each serves its own code', async () => {
    await createNamespace(t, 'staging')
    await putScript(t, namespaceScriptPath(t, 'staging', 'same'), `export default { fetch() { return new Response('staging') } }`)
    await putScript(t, namespaceScriptPath(t, 'production', 'same'), `export default { fetch() { return new Response('production') } }`)
    assert.equal((await edge(t, host, '/same')).text, 'production')
  })

  it("runs a Worker dated today, though today is newer than the installed workerd's own date", async () => {
    const today = new Date().toISOString().slice(0, 10)
    const up = await putScript(t, namespaceScriptPath(t, 'production', 'dated-today'), `export default { fetch() { return new Response('today') } }`, {
      compatibility_date: today,
    })
    assert.equal(up.status, 200, JSON.stringify(up.body))
    assert.equal(up.body.result.compatibility_date, today)
    assert.equal((await edge(t, host, '/dated-today')).text, 'today')
  })

  it('hands an uncaught exception of a user Worker to the dispatch Worker as a rejected fetch()', async () => {
    await putScript(t, namespaceScriptPath(t, 'production', 'thrower'), `export default { fetch() { throw new Error('boom in user code') } }`)
    const res = await edge(t, host, '/thrower')
    assert.equal(res.status, 502)
    assert.match(res.text, /^dispatch failed: .*boom in user code/)
  })

  it('answers 1101 when the dispatch Worker itself throws, and 404 for an unknown host', async () => {
    const res = await putScript(t, `/accounts/${t.accountId}/workers/scripts/broken-dispatcher`, `export default { fetch() { throw new Error('dispatcher bug') } }`)
    assert.equal(res.status, 200, JSON.stringify(res.body))
    const page = await edge(t, await defaultHost(t, 'broken-dispatcher'), '/', { headers: { accept: 'text/html' } })
    assert.equal(page.status, 500)
    assert.match(page.text, /Error <span class="code">1101<\/span>/)
    const unknown = await edge(t, 'nothing.example.com', '/')
    assert.equal(unknown.status, 404)
  })
})

// Point 6 of the edge issue: each of these is attempted from inside a user Worker.
describe('edge: user Workers are untrusted', () => {
  let t: TestPlatform
  let host: string

  before(async () => {
    t = await startTestPlatform()
    await createNamespace(t, 'tenants')
    // A dispatcher that passes a cf object along, as a platform's dispatch Worker might.
    host = await deployDispatcher(
      t,
      'tenants',
      `export default { async fetch(request, env) {
        const name = new URL(request.url).pathname.split('/')[1]
        const withCf = new Request(request, { cf: { colo: 'TEST', cacheKey: 'steer-me' } })
        try { return await env.dispatcher.get(name).fetch(withCf) }
        catch (e) { return new Response('dispatch failed: ' + e.message, { status: 502 }) }
      } }`,
      [{ type: 'plain_text', name: 'PLATFORM_SECRET', text: 'only-for-the-dispatcher' }],
    )
  })
  after(() => t.close())

  const probe = async (name: string, code: string, metadata: Record<string, unknown> = {}) => {
    const up = await putScript(t, namespaceScriptPath(t, 'tenants', name), code, metadata)
    assert.equal(up.status, 200, JSON.stringify(up.body))
    const res = await edge(t, host, `/${name}`)
    assert.equal(res.status, 200, res.text)
    return JSON.parse(res.text)
  }

  it('sees no request.cf in an untrusted namespace, and sees it once the namespace is trusted', async () => {
    const code = `export default { fetch(req) { return Response.json({ cf: req.cf ?? null }) } }`
    assert.deepEqual(await probe('cf', code), { cf: null })
    const trusted = await t.json(`/accounts/${t.accountId}/workers/dispatch/namespaces/tenants`, {
      method: 'PATCH',
      body: JSON.stringify({ trusted_workers: true }),
      headers: { 'content-type': 'application/json' },
    })
    assert.equal(trusted.status, 200)
    const res = JSON.parse((await edge(t, host, '/cf')).text)
    assert.equal(res.cf?.colo, 'TEST')
    await t.json(`/accounts/${t.accountId}/workers/dispatch/namespaces/tenants`, {
      method: 'PATCH',
      body: JSON.stringify({ trusted_workers: false }),
      headers: { 'content-type': 'application/json' },
    })
  })

  it('sees only its own bindings: nothing of the host or of the dispatch Worker', async () => {
    const seen = await probe(
      'env',
      `import { env as importedEnv } from 'cloudflare:workers'
       export default { fetch(req, env, ctx) {
         return Response.json({ keys: Object.keys(env), imported: Object.keys(importedEnv), props: ctx.props ?? null,
           globals: ['LOADER', 'INTERNAL', 'INTERNET', 'INTERNAL_SECRET', 'PLATFORM_SECRET'].filter((k) => k in globalThis) })
       } }`,
      { bindings: [{ type: 'plain_text', name: 'OWN', text: 'mine' }] },
    )
    assert.deepEqual(seen.keys, ['OWN'])
    assert.deepEqual(seen.imported, ['OWN'])
    assert.deepEqual(seen.globals, [])
  })

  it('cannot reach loopback, the control plane or the edge itself, by fetch() or connect()', async () => {
    const targets = [
      `http://127.0.0.1:${t.platform.apiPort}/client/v4/accounts`,
      `http://localhost:${t.platform.apiPort}/`,
      `http://127.1:${t.platform.edgePort}/`,
      `http://[::1]:${t.platform.apiPort}/`,
      `http://0.0.0.0:${t.platform.apiPort}/`,
    ]
    const seen = await probe(
      'ssrf',
      `import { connect } from 'cloudflare:sockets'
       export default { async fetch() {
         const out = {}
         for (const url of ${JSON.stringify(targets)}) {
           try { const r = await fetch(url); out[url] = 'REACHED ' + r.status } catch (e) { out[url] = 'BLOCKED ' + e.message }
         }
         try { const s = connect('127.0.0.1:${t.platform.apiPort}'); await s.opened; out.connect = 'CONNECTED' } catch (e) { out.connect = 'BLOCKED ' + e.message }
         return Response.json(out)
       } }`,
    )
    for (const target of [...targets, 'connect']) assert.match(seen[target], /^BLOCKED/, `${target}: ${seen[target]}`)
  })

  it("never sees another tenant's globals", async () => {
    await probe('writer', `globalThis.shared = 'tenant A was here'; export default { fetch() { globalThis.later = 1; return Response.json({ ok: true }) } }`)
    const reader = await probe('reader', `export default { fetch() { return Response.json({ shared: globalThis.shared ?? null, later: globalThis.later ?? null }) } }`)
    assert.deepEqual(reader, { shared: null, later: null })
  })

  it("cannot bind another account's KV namespace", async () => {
    const other = await t.otherAccount()
    const foreign = await t.platform.store.kv.createNamespace(other.accountId, 'theirs')
    const up = await putScript(t, namespaceScriptPath(t, 'tenants', 'thief'), 'export default { fetch() { return new Response("x") } }', {
      bindings: [{ type: 'kv_namespace', name: 'KV', namespace_id: foreign.id }],
    })
    assert.equal(up.status, 400)
    assert.equal(up.body.errors[0].code, 10021)
    const get = await t.json(namespaceScriptPath(t, 'tenants', 'thief'))
    assert.equal(get.status, 404)
  })
})
