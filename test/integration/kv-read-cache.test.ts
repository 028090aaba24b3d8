import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { defaultHost, edge, putScript } from '../helpers/edge.js'
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js'

// The edge's KV read cache (src/shared/kv-read-cache.ts) in real workerd: repeated binding reads
// stay off Node, and a write through the REST API is seen by the very next binding read.
const WORKER = `
export default {
  async fetch(request, env) {
    const url = new URL(request.url)
    const key = url.searchParams.get('key') ?? 'k'
    const ttl = url.searchParams.get('ttl')
    try {
      switch (url.pathname) {
        case '/get': return Response.json({ ok: true, value: await env.KV.get(key, ttl === null ? undefined : { cacheTtl: Number(ttl) }) })
        case '/put': {
          const meta = url.searchParams.get('meta')
          await env.KV.put(key, await request.text(), meta === null ? undefined : { metadata: JSON.parse(meta), expirationTtl: 3600 })
          return Response.json({ ok: true })
        }
        case '/meta': {
          const { value, metadata } = await env.KV.getWithMetadata(key)
          return Response.json({ ok: true, value, metadata })
        }
        case '/delete': await env.KV.delete(key); return Response.json({ ok: true })
      }
    } catch (e) { return Response.json({ ok: false, error: e.message }) }
    return new Response('no such operation', { status: 404 })
  },
}`

/** The internal API's route for single-key reads (and writes), as its latency histogram names it. */
const VALUE_ROUTE = '/internal/kv/:account/:ns/value'

describe('KV read cache at the edge', () => {
  let t: TestPlatform
  let host: string
  let ns: string

  before(async () => {
    // One edge process, so every binding call meets the same cache.
    t = await startTestPlatform({ edgeProcesses: 1 })
    const created = await t.json(`/accounts/${t.accountId}/storage/kv/namespaces`, {
      method: 'POST',
      body: JSON.stringify({ title: 'read-cache' }),
      headers: { 'content-type': 'application/json' },
    })
    ns = created.body.result.id
    const up = await putScript(t, `/accounts/${t.accountId}/workers/scripts/kv`, WORKER, {
      bindings: [{ type: 'kv_namespace', name: 'KV', namespace_id: ns }],
    })
    assert.equal(up.status, 200, JSON.stringify(up.body))
    host = await defaultHost(t, 'kv')
  })
  after(() => t.close())

  const get = async (key: string, ttl?: string) => {
    const res = await edge(t, host, `/get?${new URLSearchParams({ key, ...(ttl === undefined ? {} : { ttl }) })}`)
    return JSON.parse(res.text) as { ok: boolean; value?: string | null; error?: string }
  }
  const rest = (path: string, init?: RequestInit) => t.api(`/accounts/${t.accountId}/storage/kv/namespaces/${ns}${path}`, init)
  /** How many single-key calls workerd has made to Node so far. */
  const nodeReads = async (): Promise<number> => {
    const text = await (await fetch(`http://127.0.0.1:${t.platform.apiPort}/metrics`)).text()
    const line = text.split('\n').find((l) => l.startsWith('workerhive_internal_api_request_seconds_count{') && l.includes(`route="${VALUE_ROUTE}"`))
    return line ? Number(line.split(' ').at(-1)) : 0
  }

  it('answers a repeated binding get, and a missing key, without asking Node again', async () => {
    assert.equal((await rest('/values/cached', { method: 'PUT', body: 'v1' })).status, 200)
    const before = await nodeReads()
    for (let i = 0; i < 3; i++) assert.deepEqual(await get('cached'), { ok: true, value: 'v1' })
    for (let i = 0; i < 3; i++) assert.deepEqual(await get('never-written'), { ok: true, value: null })
    assert.equal((await nodeReads()) - before, 2, 'one read of each key reached Node')
  })

  it('a binding get after a REST put sees the new value, after a REST delete sees null', async () => {
    await rest('/values/fresh', { method: 'PUT', body: 'first' })
    assert.equal((await get('fresh')).value, 'first')
    await rest('/values/fresh', { method: 'PUT', body: 'second' })
    assert.equal((await get('fresh')).value, 'second')
    await rest('/values/fresh', { method: 'DELETE' })
    assert.equal((await get('fresh')).value, null)
    // The absence was cached too: a put must reach it.
    await rest('/values/fresh', { method: 'PUT', body: 'third' })
    assert.equal((await get('fresh')).value, 'third')
    const bulk = await rest('/bulk/delete', { method: 'POST', body: JSON.stringify(['fresh']), headers: { 'content-type': 'application/json' } })
    assert.equal(bulk.status, 200, await bulk.text())
    assert.equal((await get('fresh')).value, null)
  })

  it('a binding put is seen by the next binding get', async () => {
    assert.equal((await get('mine')).value, null)
    assert.deepEqual(await edge(t, host, '/put?key=mine', { method: 'POST', body: 'written here' }).then((r) => JSON.parse(r.text)), { ok: true })
    assert.equal((await get('mine')).value, 'written here')
  })

  it('reads what the binding wrote or deleted without asking Node, and still sees a REST write after it', async () => {
    const call = async (path: string, body?: string) => JSON.parse((await edge(t, host, path, body === undefined ? {} : { method: 'POST', body })).text) as Record<string, unknown>
    assert.equal((await get('own')).value, null, 'a binding read: writes of the namespace now reach the edge')
    const before = await nodeReads()
    assert.deepEqual(await call('/put?key=own&meta=%7B%22m%22%3A1%7D', 'mine'), { ok: true })
    assert.deepEqual(await call('/meta?key=own'), { ok: true, value: 'mine', metadata: { m: 1 } })
    assert.deepEqual(await get('own'), { ok: true, value: 'mine' })
    assert.equal((await nodeReads()) - before, 1, 'only the put reached Node')
    assert.equal((await rest('/values/own', { method: 'PUT', body: 'from rest' })).status, 200)
    assert.equal((await get('own')).value, 'from rest')
    const beforeDelete = await nodeReads()
    assert.deepEqual(await call('/delete?key=own'), { ok: true })
    assert.equal((await get('own')).value, null)
    assert.equal((await nodeReads()) - beforeDelete, 1, 'only the delete reached Node')
    assert.equal((await rest('/values/own', { method: 'PUT', body: 'back' })).status, 200)
    assert.equal((await get('own')).value, 'back')
  })

  it("leaves a cacheTtl Cloudflare refuses to Node, which refuses it, even for a cached key", async () => {
    await rest('/values/ttl', { method: 'PUT', body: 'x' })
    assert.equal((await get('ttl', '30')).value, 'x')
    const refused = await get('ttl', '10')
    assert.equal(refused.ok, false)
    assert.match(refused.error!, /KV GET failed: 400 .*cache_ttl/i)
  })
})
