import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import {
  accountScriptPath,
  createNamespace,
  defaultHost,
  deployDispatcher,
  DISPATCHER,
  edge,
  namespaceScriptPath,
  putScript,
} from '../helpers/edge.js'
import { jsonBody, startTestPlatform, type TestPlatform } from '../helpers/platform.js'

/**
 * A Worker that drives its Cache API from the query string:
 * ?op=put|match|delete&cache=default|<name>&key=K[&body=B][&headers={…}][&req={…}]
 */
const CACHE_PROBE = `
export default {
  async fetch(request) {
    const q = new URL(request.url).searchParams
    const which = q.get('cache') ?? 'default'
    const cache = which === 'default' ? caches.default : await caches.open(which)
    const key = 'https://tenant.example/' + q.get('key')
    const json = (name) => JSON.parse(q.get(name) ?? '{}')
    try {
      switch (q.get('op')) {
        case 'put':
          await cache.put(new Request(key, { method: q.get('method') ?? 'GET' }), new Response(q.get('body'), { status: Number(q.get('status') ?? 200), headers: json('headers') }))
          return Response.json({ put: true })
        case 'match': {
          const hit = await cache.match(new Request(key, { headers: json('req') }))
          if (!hit) return Response.json({ hit: false })
          return Response.json({ hit: true, status: hit.status, body: await hit.text(), headers: Object.fromEntries(hit.headers) })
        }
        case 'delete':
          return Response.json({ deleted: await cache.delete(key) })
        case 'rawput': {
          // A put crafted by hand: whatever head the Worker claims.
          const res = await fetch('http://cache.workerhive.invalid/put?name=' + encodeURIComponent(which) + '&url=' + encodeURIComponent(key), {
            method: 'PUT', headers: { 'x-workerhive-cache-head': q.get('head') }, body: q.get('body'),
          })
          return Response.json({ status: res.status })
        }
        case 'raw': {
          // Straight to the cache origin, trying to name someone else's entry.
          const res = await fetch('http://cache.workerhive.invalid/' + (q.get('rawop') ?? 'match') + '?name=' + encodeURIComponent(which) + '&url=' + encodeURIComponent(key) + '&space=' + q.get('space'))
          return Response.json({ result: res.headers.get('x-workerhive-cache-result'), body: await res.text() })
        }
      }
      return new Response('unknown op', { status: 400 })
    } catch (e) {
      return Response.json({ error: e.constructor.name + ': ' + e.message })
    }
  },
}
`

describe('edge: the Cache API of loaded Workers', () => {
  let t: TestPlatform
  let untrusted: string
  let trusted: string

  before(async () => {
    t = await startTestPlatform()
    await createNamespace(t, 'tenants')
    untrusted = await deployDispatcher(t, 'tenants')
    await createNamespace(t, 'in-house')
    const patched = await t.json(`/accounts/${t.accountId}/workers/dispatch/namespaces/in-house`, {
      method: 'PUT',
      ...jsonBody({ name: 'in-house', trusted_workers: true }),
    })
    assert.equal(patched.status, 200, JSON.stringify(patched.body))
    const up = await putScript(t, accountScriptPath(t, 'in-house-dispatcher'), DISPATCHER, {
      bindings: [{ type: 'dispatch_namespace', name: 'dispatcher', namespace: 'in-house' }],
    })
    assert.equal(up.status, 200, JSON.stringify(up.body))
    trusted = await defaultHost(t, 'in-house-dispatcher')
    for (const [ns, name] of [
      ['tenants', 'alice'],
      ['tenants', 'bob'],
      ['in-house', 'alice'],
      ['in-house', 'bob'],
    ] as const) {
      const res = await putScript(t, namespaceScriptPath(t, ns, name), CACHE_PROBE)
      assert.equal(res.status, 200, JSON.stringify(res.body))
    }
  })
  after(() => t.close())

  const call = async (host: string, script: string, query: Record<string, string>): Promise<any> => {
    const res = await edge(t, host, `/${script}?${new URLSearchParams(query)}`)
    assert.equal(res.status, 200, res.text)
    return JSON.parse(res.text)
  }

  it('stores and finds a response in a named cache, marked as a cache HIT', async () => {
    assert.deepEqual(await call(untrusted, 'alice', { op: 'put', cache: 'pages', key: 'a', body: 'from alice' }), { put: true })
    const hit = await call(untrusted, 'alice', { op: 'match', cache: 'pages', key: 'a' })
    assert.equal(hit.hit, true)
    assert.equal(hit.body, 'from alice')
    assert.equal(hit.headers['cf-cache-status'], 'HIT')
    assert.equal(hit.headers['x-workerhive-cache-result'], undefined)
  })

  it('isolates each user Worker of an untrusted namespace, whatever it sends to the cache origin', async () => {
    await call(untrusted, 'alice', { op: 'put', cache: 'pages', key: 'shared-key', body: 'alice only' })
    assert.deepEqual(await call(untrusted, 'bob', { op: 'match', cache: 'pages', key: 'shared-key' }), { hit: false })
    const raw = await call(untrusted, 'bob', { op: 'raw', cache: 'open:pages', key: 'shared-key', space: 'script-anything' })
    assert.equal(raw.result, 'miss')
    assert.equal((await call(untrusted, 'alice', { op: 'match', cache: 'pages', key: 'shared-key' })).body, 'alice only')
  })

  it('disables caches.default in an untrusted namespace: nothing is stored or found', async () => {
    assert.deepEqual(await call(untrusted, 'alice', { op: 'put', cache: 'default', key: 'd', body: 'x' }), { put: true })
    assert.deepEqual(await call(untrusted, 'alice', { op: 'match', cache: 'default', key: 'd' }), { hit: false })
    // Not even by a hand-made call to the cache origin.
    const head = encodeURIComponent(JSON.stringify({ status: 200, headers: [['cache-control', 'max-age=60']] }))
    assert.deepEqual(await call(untrusted, 'alice', { op: 'rawput', cache: 'default', key: 'd', head, body: 'x' }), { status: 204 })
    assert.equal((await call(untrusted, 'alice', { op: 'raw', cache: 'default', key: 'd' })).result, 'miss')
  })

  it('shares one cache space, caches.default included, across a trusted namespace', async () => {
    await call(trusted, 'alice', { op: 'put', cache: 'default', key: 'd', body: 'for the namespace' })
    assert.equal((await call(trusted, 'bob', { op: 'match', cache: 'default', key: 'd' })).body, 'for the namespace')
    // …and that space is not the untrusted namespace's.
    assert.deepEqual(await call(untrusted, 'bob', { op: 'match', cache: 'pages', key: 'd' }), { hit: false })
  })

  it('gives account scripts a working caches.default', async () => {
    const up = await putScript(t, accountScriptPath(t, 'cacher'), CACHE_PROBE)
    assert.equal(up.status, 200, JSON.stringify(up.body))
    const host = await defaultHost(t, 'cacher')
    await call(host, '', { op: 'put', cache: 'default', key: 'k', body: 'zone-wide' })
    assert.equal((await call(host, '', { op: 'match', cache: 'default', key: 'k' })).body, 'zone-wide')
  })

  it('keeps what Cloudflare keeps: no-store, private, max-age=0 and Set-Cookie responses are not stored', async () => {
    const cases: Array<[string, Record<string, string>, boolean]> = [
      ['no-store', { 'cache-control': 'no-store' }, false],
      ['private', { 'cache-control': 'private' }, false],
      ['max-age-0', { 'cache-control': 'max-age=0' }, false],
      ['cookie', { 'set-cookie': 'session=1' }, false],
      ['public', { 'cache-control': 'public, max-age=60' }, true],
    ]
    for (const [key, headers, stored] of cases) {
      await call(untrusted, 'alice', { op: 'put', cache: 'policy', key, body: key, headers: JSON.stringify(headers) })
      assert.equal((await call(untrusted, 'alice', { op: 'match', cache: 'policy', key })).hit, stored, key)
    }
    await call(untrusted, 'alice', {
      op: 'put',
      cache: 'policy',
      key: 'cookie-private',
      body: 'b',
      headers: JSON.stringify({ 'set-cookie': 'session=1', 'cache-control': 'private=Set-Cookie, max-age=60' }),
    })
    const hit = await call(untrusted, 'alice', { op: 'match', cache: 'policy', key: 'cookie-private' })
    assert.equal(hit.hit, true)
    assert.equal(hit.headers['set-cookie'], undefined)
  })

  it('answers conditional and range requests from the stored response', async () => {
    await call(untrusted, 'alice', {
      op: 'put',
      cache: 'cond',
      key: 'doc',
      body: '0123456789',
      headers: JSON.stringify({ etag: '"v1"', 'cache-control': 'max-age=60' }),
    })
    const notModified = await call(untrusted, 'alice', { op: 'match', cache: 'cond', key: 'doc', req: JSON.stringify({ 'if-none-match': '"v1"' }) })
    assert.equal(notModified.status, 304)
    assert.equal(notModified.body, '')
    const changed = await call(untrusted, 'alice', { op: 'match', cache: 'cond', key: 'doc', req: JSON.stringify({ 'if-none-match': '"v0"' }) })
    assert.equal(changed.status, 200)
    const range = await call(untrusted, 'alice', { op: 'match', cache: 'cond', key: 'doc', req: JSON.stringify({ range: 'bytes=2-4' }) })
    assert.equal(range.status, 206)
    assert.equal(range.body, '234')
    assert.equal(range.headers['content-range'], 'bytes 2-4/10')
  })

  it('stores responses without a body and responses marked as compressed', async () => {
    await call(trusted, 'alice', { op: 'put', cache: 'default', key: 'empty', body: '', status: '204', headers: JSON.stringify({ 'cache-control': 'max-age=60' }) })
    const empty = await call(trusted, 'alice', { op: 'match', cache: 'default', key: 'empty' })
    assert.equal(empty.hit, true)
    assert.equal(empty.status, 204)
    // A Content-Encoding on the stored response must not make anything on the way decode its body.
    await call(trusted, 'alice', {
      op: 'put',
      cache: 'default',
      key: 'gz',
      body: 'plain text, sent compressed',
      headers: JSON.stringify({ 'content-encoding': 'gzip', 'cache-control': 'max-age=60' }),
    })
    const gz = await call(trusted, 'alice', { op: 'match', cache: 'default', key: 'gz' })
    assert.equal(gz.body, 'plain text, sent compressed')
    assert.equal(gz.headers['content-encoding'], 'gzip')
  })

  it('hands back a cached redirect as it is, without following it', async () => {
    await call(untrusted, 'alice', {
      op: 'put',
      cache: 'redirects',
      key: 'moved',
      body: '',
      status: '301',
      headers: JSON.stringify({ location: 'https://elsewhere.example/' }),
    })
    const hit = await call(untrusted, 'alice', { op: 'match', cache: 'redirects', key: 'moved' })
    assert.equal(hit.status, 301)
    assert.equal(hit.headers.location, 'https://elsewhere.example/')
  })

  it('refuses a hand-made malformed put, and never stores framing headers', async () => {
    assert.deepEqual(await call(untrusted, 'alice', { op: 'rawput', cache: 'open:raw', key: 'r', head: 'not json', body: 'x' }), { status: 400 })
    const lying = encodeURIComponent(JSON.stringify({ status: 200, headers: [['content-length', '999'], ['x-kept', 'yes']] }))
    assert.deepEqual(await call(untrusted, 'alice', { op: 'rawput', cache: 'open:raw', key: 'r', head: lying, body: 'abc' }), { status: 204 })
    const hit = await call(untrusted, 'alice', { op: 'match', cache: 'raw', key: 'r' })
    assert.equal(hit.body, 'abc')
    assert.equal(hit.headers['x-kept'], 'yes')
  })

  it('deletes entries, and refuses what cannot be cached as workerd does', async () => {
    await call(untrusted, 'alice', { op: 'put', cache: 'del', key: 'x', body: 'x' })
    assert.deepEqual(await call(untrusted, 'alice', { op: 'delete', cache: 'del', key: 'x' }), { deleted: true })
    assert.deepEqual(await call(untrusted, 'alice', { op: 'delete', cache: 'del', key: 'x' }), { deleted: false })
    assert.deepEqual(await call(untrusted, 'alice', { op: 'put', cache: 'del', key: 'p', body: 'x', method: 'POST' }), {
      error: 'TypeError: Cannot cache response to non-GET request.',
    })
    assert.deepEqual(await call(untrusted, 'alice', { op: 'put', cache: 'del', key: 'p', body: 'x', status: '206' }), {
      error: 'TypeError: Cannot cache response to a range request (206 Partial Content).',
    })
  })

  it('starts a re-created script with an empty cache, even under the same name', async () => {
    await call(untrusted, 'bob', { op: 'put', cache: 'pages', key: 'mine', body: 'old tenant' })
    assert.equal((await t.json(namespaceScriptPath(t, 'tenants', 'bob'), { method: 'DELETE' })).status, 200)
    assert.equal((await putScript(t, namespaceScriptPath(t, 'tenants', 'bob'), CACHE_PROBE)).status, 200)
    assert.deepEqual(await call(untrusted, 'bob', { op: 'match', cache: 'pages', key: 'mine' }), { hit: false })
  })
})
