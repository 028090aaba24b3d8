import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { KvReadCache, type KvCachedRead } from '../../src/shared/kv-read-cache.js'
import { KV_CACHE } from '../../src/bindings/kv-namespace/wire.js'
import { KV_LIMITS } from '../../src/kv/limits.js'
import { KvReadHorizon } from '../../src/kv/read-horizon.js'

const value = (bytes: number): KvCachedRead => ({ found: true, value: new ArrayBuffer(bytes), headers: [] })
const absent: KvCachedRead = { found: false, value: null, headers: [] }

function cache(maxBytes: number, maxEntryBytes = maxBytes) {
  let now = 1_000
  const c = new KvReadCache({ maxBytes, maxEntryBytes, now: () => now })
  return { c, advance: (ms: number) => (now += ms), at: (ms: number) => now + ms }
}

describe('KvReadCache', () => {
  it('stays within its byte bound, dropping the least recently read first', () => {
    const { c, at } = cache(3_000)
    for (const key of ['a', 'b', 'c']) assert.equal(c.set('ns', key, value(800), at(60_000), c.generation('ns')), true)
    assert.ok(c.get('ns', 'a'), 'a is read, so b is now the oldest')
    c.set('ns', 'd', value(800), at(60_000), c.generation('ns'))
    assert.ok(c.bytes <= 3_000, `${c.bytes} bytes`)
    assert.equal(c.get('ns', 'b'), undefined)
    assert.ok(c.get('ns', 'a') && c.get('ns', 'c') && c.get('ns', 'd'))
    for (let i = 0; i < 1_000; i++) c.set('ns', `k${i}`, value(100), at(60_000), c.generation('ns'))
    assert.ok(c.bytes <= 3_000 && c.size < 20, `${c.size} entries, ${c.bytes} bytes`)
  })

  it('refuses a value larger than one entry may be', () => {
    const { c, at } = cache(10_000, 1_000)
    assert.equal(c.set('ns', 'big', value(2_000), at(60_000), c.generation('ns')), false)
    assert.equal(c.get('ns', 'big'), undefined)
    assert.equal(c.bytes, 0)
  })

  it('forgets an entry when it expires, and caches absences like values', () => {
    const { c, advance, at } = cache(10_000)
    c.set('ns', 'gone', absent, at(30_000), c.generation('ns'))
    assert.deepEqual(c.get('ns', 'gone'), absent)
    advance(30_000)
    assert.equal(c.get('ns', 'gone'), undefined)
    assert.equal(c.bytes, 0)
  })

  it('invalidates keys, whole namespaces, and reads that started before a write', () => {
    const { c, at } = cache(10_000)
    c.set('acct/ns1', 'x', value(10), at(60_000), c.generation('acct/ns1'))
    c.set('acct/ns1', 'y', value(10), at(60_000), c.generation('acct/ns1'))
    c.set('acct/ns10', 'x', value(10), at(60_000), c.generation('acct/ns10'))
    c.invalidate('acct/ns1', ['x'])
    assert.equal(c.get('acct/ns1', 'x'), undefined)
    assert.ok(c.get('acct/ns1', 'y'))
    c.invalidate('acct/ns1')
    assert.equal(c.get('acct/ns1', 'y'), undefined)
    assert.ok(c.get('acct/ns10', 'x'), 'a namespace whose id starts the same is untouched')
    const started = c.generation('acct/ns1')
    const elsewhere = c.generation('acct/ns10')
    c.invalidate('acct/ns1', ['z'])
    assert.equal(c.set('acct/ns1', 'z', value(10), at(60_000), started), false, 'read before the write: not cached')
    assert.equal(c.set('acct/ns10', 'z', value(10), at(60_000), elsewhere), true, 'a write elsewhere does not matter')
    const beforeClear = c.generation('acct/ns10')
    c.clear()
    assert.equal(c.set('acct/ns10', 'z', value(10), at(60_000), beforeClear), false)
    assert.equal(c.size, 0)
    assert.equal(c.bytes, 0)
  })

  it("caches a write's own answer only when no other write of its namespace came between", () => {
    const { c, at } = cache(10_000)
    const before = c.generation('acct/ns')
    c.invalidate('acct/ns', ['k']) // the write's own invalidation, sent by Node before it answers
    assert.equal(c.set('acct/ns', 'k', value(10), at(60_000), c.afterOwnWrite(before)), true)
    const again = c.generation('acct/ns')
    c.invalidate('acct/ns', ['k'])
    c.invalidate('acct/ns', ['other']) // another write landed before this one's answer
    assert.equal(c.set('acct/ns', 'k', value(10), at(60_000), c.afterOwnWrite(again)), false)
    assert.equal(c.get('acct/ns', 'k'), undefined)
    const unseen = c.generation('acct/ns')
    assert.equal(c.set('acct/ns', 'k', value(10), at(60_000), c.afterOwnWrite(unseen)), false, 'its invalidation never arrived')
    const beforeClear = c.generation('acct/ns')
    c.clear()
    c.invalidate('acct/ns', ['k'])
    assert.equal(c.set('acct/ns', 'k', value(10), at(60_000), c.afterOwnWrite(beforeClear)), false, 'everything was dropped in between')
  })

  it("uses Cloudflare's cacheTtl minimum, as the KV service checks it", () => {
    assert.equal(KV_CACHE.minTtlSeconds, KV_LIMITS.minCacheTtl)
    assert.ok(KV_CACHE.maxEntryBytes <= KV_CACHE.maxBytes)
  })
})

describe('KvReadHorizon', () => {
  it('says a namespace may be cached from its first binding read until that read’s cacheTtl (and a margin) ran out', () => {
    let now = 0
    const h = new KvReadHorizon(() => now)
    assert.equal(h.mayBeCached('a', 'ns'), false, 'never read: no edge holds anything of it')
    h.read('a', 'ns', 60)
    h.read('a', 'ns', 30)
    assert.equal(h.mayBeCached('a', 'ns'), true)
    assert.equal(h.mayBeCached('a', 'other'), false)
    now = 60_000
    assert.equal(h.mayBeCached('a', 'ns'), true, 'the longest read counts, with a margin for the trip to the edge')
    now = 70_000
    assert.equal(h.mayBeCached('a', 'ns'), false)
  })
})
