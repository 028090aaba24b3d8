import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { kvInternalHandlers, type KvBindingRef } from '../../src/bindings/kv-namespace/internal.js'
import { KV_HEADERS } from '../../src/bindings/kv-namespace/wire.js'
import { createKvService } from '../../src/kv/service.js'
import { KvReadHorizon } from '../../src/kv/read-horizon.js'
import { openSqliteStore } from '../../src/storage/sqlite/index.js'
import type { Store } from '../../src/storage/store.js'
import { ManualClock } from '../helpers/manual-clock.js'

const BASE = 'http://internal/internal/kv/acct/ns/'

describe('KV internal handlers (the binding\'s wire)', () => {
  const clock = new ManualClock(1_800_000_000_000)
  let store: Store
  let kv: ReturnType<typeof kvInternalHandlers>
  let ns: KvBindingRef

  before(async () => {
    store = openSqliteStore({ file: ':memory:', clock })
    const service = createKvService({ store: store.kv, clock })
    kv = kvInternalHandlers(service)
    const account = await store.accounts.create({ name: 'a', email: 'a@example.com', globalKeyHash: 'h', subdomain: 'a' })
    ns = { accountId: account.id, namespaceId: (await service.createNamespace(account.id, 'binding')).id }
  })
  after(() => store.close())

  const put = (key: string, body: RequestInit['body'], query = '', headers: Record<string, string> = {}) =>
    kv.put(new Request(`${BASE}value?key=${encodeURIComponent(key)}${query}`, { method: 'PUT', body, headers, duplex: 'half' } as RequestInit), ns)
  const get = (key: string) => kv.get(new Request(`${BASE}value?key=${encodeURIComponent(key)}`), ns)

  it('puts and gets values with metadata and expiration headers', async () => {
    const res = await put('a b/ü', 'hello', '&expiration_ttl=120', { [KV_HEADERS.metadata]: '{"m":1}' })
    assert.equal(res.status, 200)
    // The put answers what a get would say besides the value: the edge caches its own writes.
    assert.equal(res.headers.get(KV_HEADERS.metadata), '{"m":1}')
    assert.equal(res.headers.get(KV_HEADERS.expiration), String(1_800_000_000 + 120))
    const got = await get('a b/ü')
    assert.equal(got.status, 200)
    assert.equal(await got.text(), 'hello')
    assert.equal(got.headers.get(KV_HEADERS.metadata), '{"m":1}')
    assert.equal(got.headers.get(KV_HEADERS.expiration), String(1_800_000_000 + 120))
    const missing = await get('nope')
    assert.equal(missing.status, 404)
  })

  it('tells the writing edge process until when it may keep what it wrote: only while binding reads of the namespace may be cached', async () => {
    let now = 1_000_000
    const reads = new KvReadHorizon(() => now)
    const withReads = kvInternalHandlers(createKvService({ store: store.kv, clock }), reads)
    const putKey = (key: string) => withReads.put(new Request(`${BASE}value?key=${key}`, { method: 'PUT', body: 'x' }), ns)
    assert.equal((await putKey('cold')).headers.get(KV_HEADERS.cacheUntil), null, 'never read: its writes skip the edge, nothing may be kept')
    assert.equal(reads.mayBeCached(ns.accountId, ns.namespaceId), false, 'a write alone does not make the edge hear of later ones')
    await withReads.get(new Request(`${BASE}value?key=cold`), ns)
    now += 50_000
    assert.equal(Number((await putKey('hot')).headers.get(KV_HEADERS.cacheUntil)), now + 65_000, 'a cacheTtl from the write, with the margin')
    const deleted = await withReads.delete(new Request(`${BASE}value?key=hot`, { method: 'DELETE' }), ns)
    assert.equal(Number(deleted.headers.get(KV_HEADERS.cacheUntil)), now + 65_000)
  })

  it('reads streamed bodies without a declared length', async () => {
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new Uint8Array([1, 2]))
        c.enqueue(new Uint8Array([3]))
        c.close()
      },
    })
    assert.equal((await put('streamed', stream)).status, 200)
    assert.deepEqual(new Uint8Array(await (await get('streamed')).arrayBuffer()), new Uint8Array([1, 2, 3]))
  })

  it('lists with list_complete and a cursor only while incomplete', async () => {
    for (const k of ['l1', 'l2', 'l3']) await put(k, k, '', { [KV_HEADERS.metadata]: '"meta"' })
    type Page = { keys: unknown[]; list_complete: boolean; cursor?: string }
    const first = (await (await kv.list(new Request(`${BASE}keys?prefix=l&limit=2`), ns)).json()) as Page
    assert.deepEqual(first.keys, [{ name: 'l1', metadata: 'meta' }, { name: 'l2', metadata: 'meta' }])
    assert.equal(first.list_complete, false)
    const rest = await (await kv.list(new Request(`${BASE}keys?prefix=l&limit=2&cursor=${first.cursor}`), ns)).json()
    assert.deepEqual(rest, { keys: [{ name: 'l3', metadata: 'meta' }], list_complete: true })
  })

  it('answers bulk gets in the binding\'s shape', async () => {
    const res = await kv.getBulk(new Request(`${BASE}bulk/get`, { method: 'POST', body: JSON.stringify({ keys: ['l1', 'zz'], withMetadata: true }) }), ns)
    assert.deepEqual(await res.json(), { l1: { value: 'l1', metadata: 'meta' }, zz: null })
  })

  it('deletes', async () => {
    await put('gone', 'x')
    assert.equal((await kv.delete(new Request(`${BASE}value?key=gone`, { method: 'DELETE' }), ns)).status, 200)
    assert.equal((await get('gone')).status, 404)
  })

  it('renders Cloudflare\'s errors as status, text and code, and stores nothing', async () => {
    const long = await put('k'.repeat(513), 'x')
    assert.equal(long.status, 414)
    assert.equal(await long.text(), 'UTF-8 encoded length of 513 exceeds key length limit of 512.')
    assert.equal(long.statusText, 'UTF-8 encoded length of 513 exceeds key length limit of 512.')
    assert.equal(long.headers.get(KV_HEADERS.errorCode), '10030')

    const big = await put('big', new Uint8Array(25 * 1024 * 1024 + 1))
    assert.equal(big.status, 413)
    assert.equal(await big.text(), 'Value length of 26214401 exceeds limit of 26214400.')
    assert.equal((await get('big')).status, 404)

    const ttl = await put('ttl', 'x', '&expiration_ttl=1')
    assert.equal(ttl.status, 400)
    assert.equal(await ttl.text(), 'Invalid expiration_ttl of 1. Expiration TTL must be at least 60.')
    assert.equal((await get('ttl')).status, 404)

    const meta = await put('meta', 'x', '', { [KV_HEADERS.metadata]: '{bad' })
    assert.equal(meta.status, 400)
    const illegal = await put('..', 'x')
    assert.equal(illegal.status, 400)
    assert.equal(await illegal.text(), 'Illegal key name "..". Please use a different name.')

    const unicode = await kv.getBulk(new Request(`${BASE}bulk/get`, { method: 'POST', body: '{"keys":["l1"],"type":"тип"}' }), ns)
    assert.equal(unicode.status, 400, 'a message quoting non-Latin-1 input still makes a valid status text')
    assert.equal(await unicode.text(), '"тип" is not a valid type. Use "json" or "text"')
    assert.equal(unicode.statusText, '"???" is not a valid type. Use "json" or "text"')

    const foreign = await kv.put(new Request(`${BASE}value?key=k`, { method: 'PUT', body: 'x' }), { ...ns, accountId: 'someone-else' })
    assert.equal(foreign.status, 404)
    assert.equal(await foreign.text(), "put: 'namespace not found'")
  })
})
