import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { storeDecision } from '../../src/cache/policy.js'
import { ResponseCache } from '../../src/cache/response-cache.js'
import { serveCached } from '../../src/cache/serve.js'
import { ManualClock } from '../helpers/manual-clock.js'

const NOW = Date.parse('2026-11-27T12:00:00Z')

describe('cache policy: what cache.put() keeps and for how long', () => {
  const ttl = (status: number, headers: Array<[string, string]>) => {
    const d = storeDecision({ status, headers }, NOW)
    return d.store ? d.ttlSeconds : d.reason
  }

  it('prefers s-maxage over max-age over Expires', () => {
    assert.equal(ttl(200, [['cache-control', 'max-age=60, s-maxage=600']]), 600)
    assert.equal(ttl(200, [['cache-control', 'max-age=60']]), 60)
    assert.equal(ttl(200, [['expires', new Date(NOW + 90_000).toUTCString()]]), 90)
    assert.equal(ttl(200, [['expires', '0']]), 'expires immediately')
  })

  it("falls back to Cloudflare's default edge TTL by status", () => {
    assert.equal(ttl(200, []), 7200)
    assert.equal(ttl(302, []), 1200)
    assert.equal(ttl(404, []), 180)
    assert.equal(ttl(500, []), 'expires immediately')
    assert.equal(ttl(500, [['cache-control', 'max-age=30']]), 30)
  })

  it('refuses no-store, no-cache, private and cookies unless private=Set-Cookie', () => {
    assert.equal(ttl(200, [['cache-control', 'no-store']]), 'Cache-Control: no-store')
    assert.equal(ttl(200, [['cache-control', 'no-cache']]), 'Cache-Control: no-cache')
    assert.equal(ttl(200, [['cache-control', 'private']]), 'Cache-Control: private')
    assert.equal(ttl(200, [['set-cookie', 'a=1']]), 'Set-Cookie')
    const d = storeDecision({ status: 200, headers: [['set-cookie', 'a=1'], ['cache-control', 'private="Set-Cookie", max-age=5']] }, NOW)
    assert.deepEqual(d, { store: true, ttlSeconds: 5, headers: [['cache-control', 'private="Set-Cookie", max-age=5']] })
  })
})

describe('cache storage: expiry, eviction, scopes', () => {
  const scope = { space: 's1', name: 'default' }
  const put = (cache: ResponseCache, url: string, body: string, cc = 'max-age=60', s = scope) =>
    cache.put(s, url, { status: 200, headers: [['cache-control', cc]] }, Buffer.from(body))

  it('forgets entries once they expire', () => {
    const clock = new ManualClock(NOW)
    const cache = new ResponseCache({ maxBytes: 1 << 20, maxSpaceBytes: 1 << 20, maxEntryBytes: 1 << 20, clock })
    put(cache, 'https://x/a', 'a')
    assert.equal(cache.match(scope, 'https://x/a')?.body.toString(), 'a')
    clock.advance(60_000)
    assert.equal(cache.match(scope, 'https://x/a'), undefined)
    assert.equal(cache.bytes, 0)
  })

  it('evicts the least recently used entries past its byte budget', () => {
    const cache = new ResponseCache({ maxBytes: 300, maxSpaceBytes: 300, maxEntryBytes: 300, clock: new ManualClock(NOW) })
    put(cache, 'https://x/1', 'x'.repeat(100))
    put(cache, 'https://x/2', 'x'.repeat(100))
    cache.match(scope, 'https://x/1')
    put(cache, 'https://x/3', 'x'.repeat(100))
    assert.ok(cache.match(scope, 'https://x/1'))
    assert.equal(cache.match(scope, 'https://x/2'), undefined)
    assert.ok(cache.match(scope, 'https://x/3'))
    assert.ok(cache.bytes <= 300)
  })

  it('is fair between tenants: a space past its quota evicts its own entries, a full cache the biggest space', () => {
    // An entry here costs its body + 42 bytes of key and headers.
    const cache = new ResponseCache({ maxBytes: 400, maxSpaceBytes: 300, maxEntryBytes: 300, clock: new ManualClock(NOW) })
    const quiet = { space: 'quiet', name: 'default' }
    const noisy = { space: 'noisy', name: 'default' }
    put(cache, 'https://x/q1', 'q'.repeat(50), 'max-age=60', quiet)
    for (let i = 0; i < 10; i++) put(cache, `https://x/n${i}`, 'n'.repeat(100), 'max-age=60', noisy)
    // The noisy tenant hit its quota (two entries) and evicted its own.
    assert.ok(cache.match(quiet, 'https://x/q1'), 'the quiet tenant keeps its entry')
    assert.ok(cache.match(noisy, 'https://x/n8'))
    assert.equal(cache.match(noisy, 'https://x/n7'), undefined)
    // The whole cache is full: the biggest space gives way.
    put(cache, 'https://x/q2', 'q'.repeat(50), 'max-age=60', quiet)
    assert.ok(cache.bytes <= 400)
    assert.ok(cache.match(quiet, 'https://x/q1'))
    assert.ok(cache.match(quiet, 'https://x/q2'))
    // n8 was read more recently than n9, so n9 is the one to go.
    assert.equal(cache.match(noisy, 'https://x/n9'), undefined)
    assert.ok(cache.match(noisy, 'https://x/n8'))
  })

  it('keeps spaces and cache names apart, and drops a stale entry on an uncacheable put', () => {
    const cache = new ResponseCache({ maxBytes: 1 << 20, maxSpaceBytes: 1 << 20, maxEntryBytes: 1 << 20, clock: new ManualClock(NOW) })
    put(cache, 'https://x/a', 'one')
    assert.equal(cache.match({ space: 's2', name: 'default' }, 'https://x/a'), undefined)
    assert.equal(cache.match({ space: 's1', name: 'open:x' }, 'https://x/a'), undefined)
    put(cache, 'https://x/a', 'two', 'no-store')
    assert.equal(cache.match(scope, 'https://x/a'), undefined)
  })
})

describe('cache match: conditional and range requests', () => {
  const entry = {
    status: 200,
    headers: [['etag', 'W/"v1"'], ['content-type', 'text/plain'], ['last-modified', 'Wed, 25 Nov 2026 00:00:00 GMT']] as Array<[string, string]>,
    body: Buffer.from('0123456789'),
    expiresAt: NOW + 1000,
  }

  it('answers 304 for a matching If-None-Match (weakly) or an unchanged If-Modified-Since', () => {
    assert.equal(serveCached(entry, { ifNoneMatch: '"v1"' }).status, 304)
    assert.equal(serveCached(entry, { ifNoneMatch: '"v2", *' }).status, 304)
    assert.equal(serveCached(entry, { ifNoneMatch: '"v2"' }).status, 200)
    assert.equal(serveCached(entry, { ifModifiedSince: 'Thu, 26 Nov 2026 00:00:00 GMT' }).status, 304)
    assert.equal(serveCached(entry, { ifModifiedSince: 'Tue, 24 Nov 2026 00:00:00 GMT' }).status, 200)
  })

  it('serves single byte ranges as 206 and unsatisfiable ones as 416', () => {
    const r = serveCached(entry, { range: 'bytes=-3' })
    assert.equal(r.status, 206)
    assert.equal(r.body?.toString(), '789')
    assert.deepEqual(r.headers.find(([k]) => k === 'content-range'), ['content-range', 'bytes 7-9/10'])
    assert.equal(serveCached(entry, { range: 'bytes=5-' }).body?.toString(), '56789')
    assert.equal(serveCached(entry, { range: 'bytes=20-' }).status, 416)
    assert.equal(serveCached(entry, { range: 'bytes=0-1,4-5' }).status, 200)
  })
})
