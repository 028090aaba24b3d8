import Database from 'better-sqlite3'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, beforeEach, describe, it } from 'node:test'
import { ApiError } from '../../src/domain/errors.js'
import type { AccountId } from '../../src/domain/ids.js'
import { createKvService, type KvRef, type KvService } from '../../src/kv/service.js'
import { startExpirySweeper } from '../../src/kv/sweeper.js'
import { openSqliteStore } from '../../src/storage/sqlite/index.js'
import type { Store } from '../../src/storage/store.js'
import { ManualClock } from '../helpers/manual-clock.js'

const text = (s: string) => new TextEncoder().encode(s)
const decode = (b: Uint8Array | undefined) => new TextDecoder().decode(b)

describe('KV service', () => {
  const clock = new ManualClock(1_700_000_000_000)
  let store: Store
  let kv: KvService
  let account: AccountId
  let ns: KvRef

  const dir = mkdtempSync(join(tmpdir(), 'workerhive-kv-'))
  const dbFile = join(dir, 'workerhive.db')

  before(async () => {
    store = openSqliteStore({ file: dbFile, clock })
    kv = createKvService({ store: store.kv, clock })
    account = (await store.accounts.create({ name: 'a', email: 'a@example.com', globalKeyHash: 'h', subdomain: 'a' })).id
  })
  after(async () => {
    await store.close()
    rmSync(dir, { recursive: true, force: true })
  })
  beforeEach(async () => {
    const created = await kv.createNamespace(account, `ns-${Math.random()}`)
    ns = { accountId: account, namespaceId: created.id }
  })

  it('stores bytes, metadata and expiration and reads them back', async () => {
    await kv.put(ns, 'k', text('v'), { metadata: { a: [1] }, expirationTtl: 120 })
    const got = await kv.get(ns, 'k')
    assert.equal(decode(got?.value), 'v')
    assert.deepEqual(got?.metadata, { a: [1] })
    assert.equal(got?.expiration, clock.now() / 1000 + 120)
    assert.deepEqual(await kv.getMetadata(ns, 'k'), { metadata: { a: [1] }, expiration: clock.now() / 1000 + 120 })
    await kv.put(ns, 'k', text('w'))
    const replaced = await kv.get(ns, 'k')
    assert.deepEqual({ v: decode(replaced?.value), m: replaced?.metadata, e: replaced?.expiration }, { v: 'w', m: undefined, e: undefined })
  })

  it('never returns an expired entry and purges it when read', async () => {
    await kv.put(ns, 'short', text('1'), { expirationTtl: 60 })
    await kv.put(ns, 'long', text('2'), { expirationTtl: 3600 })
    clock.advance(59_999)
    assert.equal(decode((await kv.get(ns, 'short'))?.value), '1')
    clock.advance(1)
    assert.equal(await kv.get(ns, 'short'), null)
    assert.equal(await kv.getMetadata(ns, 'short'), undefined)
    assert.deepEqual(await kv.getMany(ns, ['short', 'long']), { short: null, long: '2' })
    assert.deepEqual((await kv.list(ns)).keys.map((k) => k.name), ['long'])
    assert.equal(await kv.purgeExpired(), 0, 'the read already purged it')
  })

  it('sweeps expired entries in batches, across namespaces', async () => {
    const other = { accountId: account, namespaceId: (await kv.createNamespace(account, `o-${Math.random()}`)).id }
    await kv.putMany(ns, Array.from({ length: 5 }, (_, i) => ({ key: `a${i}`, value: text('x'), expirationTtl: 60 })))
    await kv.putMany(other, Array.from({ length: 4 }, (_, i) => ({ key: `b${i}`, value: text('x'), expirationTtl: 60 })))
    await kv.put(ns, 'keep', text('x'))
    clock.advance(60_000)
    assert.equal(await kv.purgeExpired(3), 3)
    const sweeper = startExpirySweeper(kv, { batch: 2, intervalMs: 3_600_000 })
    try {
      assert.equal(await sweeper.sweep(), 6)
    } finally {
      sweeper.stop()
    }
    assert.deepEqual((await kv.list(ns)).keys.map((k) => k.name), ['keep'])
    assert.deepEqual((await kv.list(other)).keys, [])
  })

  it('lists in UTF-8 byte order with prefixes and cursors', async () => {
    // JavaScript's sort (UTF-16 code units) puts U+1F600 before U+FF5E; UTF-8 byte order the other way round.
    const keys = ['b', 'a', 'ab', 'a\u0000', '\u00e9', '\uff5e', '\u{1f600}', 'Z', 'a/b', 'a/c']
    for (const k of keys) await kv.put(ns, k, text(k))
    const bytes = (s: string) => Buffer.from(s, 'utf8')
    const expected = [...keys].sort((x, y) => Buffer.compare(bytes(x), bytes(y)))
    assert.deepEqual((await kv.list(ns)).keys.map((k) => k.name), expected)
    assert.notDeepEqual(expected, [...keys].sort(), 'the test needs keys whose UTF-16 and UTF-8 orders differ')

    assert.deepEqual((await kv.list(ns, { prefix: 'a' })).keys.map((k) => k.name), ['a', 'a\u0000', 'a/b', 'a/c', 'ab'])
    assert.deepEqual((await kv.list(ns, { prefix: 'a/' })).keys.map((k) => k.name), ['a/b', 'a/c'])

    const seen: string[] = []
    let cursor: string | null = null
    for (let pages = 0; pages < 20; pages++) {
      const page = await kv.list(ns, { limit: 3, cursor })
      seen.push(...page.keys.map((k) => k.name))
      if (page.listComplete) {
        assert.equal(page.cursor, '')
        break
      }
      assert.notEqual(page.cursor, '')
      cursor = page.cursor
    }
    assert.deepEqual(seen, expected)
  })

  it('refuses bad input without changing anything', async () => {
    await kv.put(ns, 'k', text('before'))
    const refuses = async (p: Promise<unknown>, code: number) =>
      assert.rejects(p, (e: unknown) => e instanceof ApiError && e.code === code)
    await refuses(kv.put(ns, 'k', text('after'), { expirationTtl: 10 }), 10034)
    await refuses(kv.put(ns, 'k', text('after'), { metadata: 'x'.repeat(2000) }), 10047)
    await refuses(kv.put(ns, 'k', new Uint8Array(25 * 1024 * 1024 + 1)), 10024)
    await refuses(kv.putMany(ns, [{ key: 'new', value: text('1') }, { key: '..', value: text('2') }]), 10042)
    await refuses(kv.deleteMany(ns, ['k', '']), 10042)
    assert.equal(decode((await kv.get(ns, 'k'))?.value), 'before')
    assert.equal(await kv.get(ns, 'new'), null)
  })

  it('treats malformed, unknown and foreign namespaces like Cloudflare', async () => {
    const other = await store.accounts.create({ name: 'b', email: `b${Math.random()}@example.com`, globalKeyHash: 'h', subdomain: `b${Math.random()}` })
    await assert.rejects(kv.get({ accountId: account, namespaceId: 'nope' }, 'k'), { code: 10011, status: 400 })
    await assert.rejects(kv.get({ accountId: account, namespaceId: '0'.repeat(32) }, 'k'), { code: 10013, status: 404 })
    const foreign = kv.get({ accountId: other.id, namespaceId: ns.namespaceId }, 'k')
    await assert.rejects(foreign, { code: 10013, status: 404, message: "get: 'namespace not found'" })
    await assert.rejects(kv.put({ accountId: other.id, namespaceId: ns.namespaceId }, 'k', text('x')), { code: 10013 })
  })

  it('deletes a namespace with its entries', async () => {
    await kv.put(ns, 'k', text('v'))
    await kv.deleteNamespace(account, ns.namespaceId)
    await assert.rejects(kv.get(ns, 'k'), { code: 10013 })
    const peek = new Database(dbFile, { readonly: true })
    try {
      for (const table of ['kv_entries', 'kv_values']) {
        const row = peek.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE namespace_id = ?`).get(ns.namespaceId)
        assert.deepEqual(row, { n: 0 }, table)
      }
    } finally {
      peek.close()
    }
  })

  it('decodes bulk gets as text or JSON, with metadata when asked', async () => {
    await kv.put(ns, 'j', text('{"n":1}'), { metadata: { m: true } })
    await kv.put(ns, 't', text('plain'))
    assert.deepEqual(await kv.getMany(ns, ['j', 'missing'], { type: 'json' }), { j: { n: 1 }, missing: null })
    assert.deepEqual(await kv.getMany(ns, ['j', 't'], { withMetadata: true }), {
      j: { value: '{"n":1}', metadata: { m: true } },
      t: { value: 'plain', metadata: null },
    })
    await assert.rejects(kv.getMany(ns, ['t'], { type: 'json' }), {
      code: 10029,
      message: 'At least one of the requested keys corresponds to a non-json value',
    })
    await assert.rejects(kv.getMany(ns, ['t'], { type: 'arrayBuffer' }), { message: '"arrayBuffer" is not a valid type. Use "json" or "text"' })
    await assert.rejects(kv.getMany(ns, Array.from({ length: 101 }, (_, i) => `k${i}`)), { message: 'You can request a maximum of 100 keys' })
    await assert.rejects(kv.getMany(ns, []), { message: 'You must request a minimum of 1 key' })
  })
})
