import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { ManualClock } from '../helpers/manual-clock.js'
import { defaultHost, edge, putScript } from '../helpers/edge.js'
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js'

// The KV binding inside real workerd, sharing storage with the REST API both ways.
const WORKER = `
export default {
  async fetch(request, env) {
    const url = new URL(request.url)
    const op = url.pathname.slice(1)
    const key = url.searchParams.get('key') ?? 'k'
    const run = async () => {
      switch (op) {
        case 'put': return env.KV.put(key, await request.text(), {
          ...(url.searchParams.has('ttl') ? { expirationTtl: Number(url.searchParams.get('ttl')) } : {}),
          ...(url.searchParams.has('meta') ? { metadata: JSON.parse(url.searchParams.get('meta')) } : {}),
        })
        case 'put-bytes': return env.KV.put(key, new Uint8Array([0, 1, 2, 255]))
        case 'put-stream': return env.KV.put(key, new Response('streamed value').body)
        case 'get-text': return env.KV.get(key)
        case 'get-json': return env.KV.get(key, 'json')
        case 'get-bytes': return [...new Uint8Array(await env.KV.get(key, { type: 'arrayBuffer', cacheTtl: 60 }))]
        case 'get-stream': return await new Response(await env.KV.get(key, 'stream')).text()
        case 'get-many': return Object.fromEntries(await env.KV.get(key.split(',')))
        case 'meta': return env.KV.getWithMetadata(key)
        case 'delete': return env.KV.delete(key)
        case 'list': return env.KV.list({ prefix: url.searchParams.get('prefix') ?? undefined, limit: Number(url.searchParams.get('limit') ?? 1000), cursor: url.searchParams.get('cursor') ?? undefined })
      }
    }
    try { return Response.json({ ok: true, value: (await run()) ?? null }) }
    catch (e) { return Response.json({ ok: false, error: e.message }) }
  },
}`

describe('KV binding in real Workers', () => {
  let t: TestPlatform
  let host: string
  let ns: string
  const clock = new ManualClock(Date.UTC(2026, 10, 27, 12, 0, 0))

  before(async () => {
    t = await startTestPlatform({}, clock)
    const created = await t.json(`/accounts/${t.accountId}/storage/kv/namespaces`, {
      method: 'POST',
      body: JSON.stringify({ title: 'binding-tests' }),
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

  const call = async (op: string, query: Record<string, string> = {}, body?: string) => {
    const res = await edge(t, host, `/${op}?${new URLSearchParams(query)}`, body === undefined ? {} : { method: 'POST', body })
    return JSON.parse(res.text) as { ok: boolean; value?: any; error?: string }
  }
  const rest = (path: string, init?: RequestInit) => t.api(`/accounts/${t.accountId}/storage/kv/namespaces/${ns}${path}`, init)

  it('reads what the REST API wrote, in every value type', async () => {
    await rest('/values/greeting', { method: 'PUT', body: 'hello from REST' })
    await rest('/values/config', { method: 'PUT', body: '{"plan":"pro","limits":[1,2]}' })
    assert.deepEqual(await call('get-text', { key: 'greeting' }), { ok: true, value: 'hello from REST' })
    assert.deepEqual((await call('get-json', { key: 'config' })).value, { plan: 'pro', limits: [1, 2] })
    assert.equal((await call('get-stream', { key: 'greeting' })).value, 'hello from REST')
    assert.deepEqual((await call('get-many', { key: 'greeting,config,absent' })).value, {
      greeting: 'hello from REST',
      config: '{"plan":"pro","limits":[1,2]}',
      absent: null,
    })
    assert.deepEqual(await call('get-text', { key: 'absent' }), { ok: true, value: null })
  })

  it('writes what the REST API reads: strings with metadata, bytes and streams', async () => {
    assert.equal((await call('put', { key: 'from-worker', meta: '{"owner":"worker"}' }, 'written by the binding')).ok, true)
    assert.equal(await (await rest('/values/from-worker')).text(), 'written by the binding')
    assert.deepEqual(((await (await rest('/metadata/from-worker')).json()) as { result: unknown }).result, { owner: 'worker' })
    assert.deepEqual((await call('meta', { key: 'from-worker' })).value, { value: 'written by the binding', metadata: { owner: 'worker' }, cacheStatus: null })

    await call('put-bytes', { key: 'bytes' })
    assert.deepEqual([...new Uint8Array(await (await rest('/values/bytes')).arrayBuffer())], [0, 1, 2, 255])
    assert.deepEqual((await call('get-bytes', { key: 'bytes' })).value, [0, 1, 2, 255])
    await call('put-stream', { key: 'stream' })
    assert.equal(await (await rest('/values/stream')).text(), 'streamed value')

    await call('delete', { key: 'from-worker' })
    assert.equal((await rest('/values/from-worker')).status, 404)
  })

  it('lists keys by prefix with cursors, like Cloudflare', async () => {
    for (const k of ['list:a', 'list:b', 'list:c']) await rest(`/values/${encodeURIComponent(k)}`, { method: 'PUT', body: k })
    const first = (await call('list', { prefix: 'list:', limit: '2' })).value
    assert.deepEqual(first.keys.map((k: { name: string }) => k.name), ['list:a', 'list:b'])
    assert.equal(first.list_complete, false)
    const rest2 = (await call('list', { prefix: 'list:', limit: '2', cursor: first.cursor })).value
    assert.deepEqual(rest2.keys.map((k: { name: string }) => k.name), ['list:c'])
    assert.equal(rest2.list_complete, true)
    assert.equal(rest2.cacheStatus, null)
  })

  it('expires keys written with a TTL, on every path, without waiting a minute', async () => {
    await call('put', { key: 'session', ttl: '60' }, 'short-lived')
    assert.equal((await call('get-text', { key: 'session' })).value, 'short-lived')
    const listed = (await call('list', { prefix: 'session' })).value.keys[0]
    assert.equal(listed.expiration, Math.floor(clock.now() / 1000) + 60)
    clock.advance(61_000)
    assert.equal((await call('get-text', { key: 'session' })).value, null)
    assert.deepEqual((await call('list', { prefix: 'session' })).value.keys, [])
    assert.equal((await rest('/values/session')).status, 404)
  })

  it("applies Cloudflare's limits and changes nothing on a refused write", async () => {
    await rest('/values/keep', { method: 'PUT', body: 'original' })
    const tooShortTtl = await call('put', { key: 'keep', ttl: '10' }, 'replacement')
    assert.equal(tooShortTtl.ok, false)
    assert.match(tooShortTtl.error!, /KV PUT failed: 400 .*expiration_ttl/i)
    const longKey = await call('put', { key: 'k'.repeat(513) }, 'x')
    assert.equal(longKey.ok, false)
    assert.match(longKey.error!, /KV PUT failed: 414/)
    const bigMeta = await call('put', { key: 'keep', meta: JSON.stringify({ blob: 'x'.repeat(1100) }) }, 'replacement')
    assert.equal(bigMeta.ok, false)
    assert.match(bigMeta.error!, /KV PUT failed: 413/)
    assert.equal((await call('get-text', { key: 'keep' })).value, 'original')
  })
})
