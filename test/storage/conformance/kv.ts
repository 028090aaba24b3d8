import assert from 'node:assert/strict'
import type { DefineCase } from './suite.js'
import type { KvScope, KvWrite } from '../../../src/storage/kv-store.js'
import { StorageConflict, type Store } from '../../../src/storage/store.js'
import { byteOrder, newAccount, utf8 } from './fixtures.js'

async function newKvScope(store: Store, label: string, title = 'data'): Promise<KvScope> {
  const accountId = await newAccount(store, label)
  const ns = await store.kv.createNamespace(accountId, title)
  return { accountId, namespaceId: ns.id }
}

const text = (key: string, value: string, extra: Partial<KvWrite> = {}): KvWrite => ({
  key,
  value: utf8(value),
  ...extra,
})
const seconds = (ms: number): number => Math.floor(ms / 1000)

/** Every key `listKeys` answers, page by page, `limit` at a time. */
async function listAll(store: Store, scope: KvScope, opts: { prefix?: string; limit: number; now: number }) {
  const pages: string[][] = []
  let after: string | undefined
  for (;;) {
    const { prefix = '', limit, now } = opts
    const from = after === undefined ? {} : { after }
    const page = await store.kv.listKeys(scope, { prefix, limit, now, ...from })
    pages.push(page.keys.map((k) => k.name))
    if (!page.more || pages.length > 100) return pages
    after = page.keys[page.keys.length - 1]!.name
  }
}

export function kvCases(test: DefineCase): void {
  test('kv namespaces: create, list in title order, get, rename, delete', async ({ store }) => {
    const a = await newAccount(store, 'a')
    const one = await store.kv.createNamespace(a, 'zeta')
    const two = await store.kv.createNamespace(a, 'Alpha')
    assert.match(one.id, /^[0-9a-f]{32}$/)
    assert.deepEqual(one, { id: one.id, accountId: a, title: 'zeta' })
    assert.deepEqual(await store.kv.listNamespaces(a), [two, one])
    assert.deepEqual(await store.kv.getNamespace(a, one.id), one)
    assert.deepEqual(await store.kv.renameNamespace(a, one.id, 'beta'), { ...one, title: 'beta' })
    assert.deepEqual(await store.kv.getNamespace(a, one.id), { ...one, title: 'beta' })
    assert.equal(await store.kv.deleteNamespace(a, one.id), true)
    assert.equal(await store.kv.deleteNamespace(a, one.id), false)
    assert.equal(await store.kv.getNamespace(a, one.id), undefined)
    assert.equal(await store.kv.renameNamespace(a, one.id, 'again'), undefined)
    assert.deepEqual(await store.kv.listNamespaces(a), [two])
  })

  test('kv namespaces: a title is unique within an account, not across accounts', async ({ store }) => {
    const a = await newAccount(store, 'a')
    const b = await newAccount(store, 'b')
    await store.kv.createNamespace(a, 'users')
    const other = await store.kv.createNamespace(a, 'sessions')
    await assert.rejects(store.kv.createNamespace(a, 'users'), StorageConflict)
    await assert.rejects(store.kv.renameNamespace(a, other.id, 'users'), StorageConflict)
    assert.equal((await store.kv.getNamespace(a, other.id))?.title, 'sessions')
    await store.kv.createNamespace(b, 'users')
    assert.deepEqual((await store.kv.listNamespaces(a)).map((n) => n.title), ['sessions', 'users'])
  })

  test('kv ownership: another account reaches neither the namespace nor its entries', async ({ store, clock }) => {
    const mine = await newKvScope(store, 'owner')
    const intruder = await newAccount(store, 'intruder')
    const foreign = { accountId: intruder, namespaceId: mine.namespaceId }
    await store.kv.putEntries(mine, [text('k', 'v')])
    const now = clock.now()

    assert.equal(await store.kv.getNamespace(intruder, mine.namespaceId), undefined)
    assert.equal(await store.kv.renameNamespace(intruder, mine.namespaceId, 'x'), undefined)
    assert.equal(await store.kv.deleteNamespace(intruder, mine.namespaceId), false)
    assert.deepEqual(await store.kv.listNamespaces(intruder), [])
    assert.equal(await store.kv.putEntries(foreign, [text('k', 'overwritten'), text('new', 'v')]), false)
    assert.equal(await store.kv.deleteEntries(foreign, ['k']), false)
    assert.equal(await store.kv.getEntry(foreign, 'k', now), undefined)
    assert.equal(await store.kv.getEntryInfo(foreign, 'k', now), undefined)
    assert.equal((await store.kv.getEntries(foreign, ['k'], now)).size, 0)
    assert.deepEqual((await store.kv.listKeys(foreign, { prefix: '', limit: 10, now })).keys, [])

    assert.equal((await store.kv.getNamespace(mine.accountId, mine.namespaceId))?.title, 'data')
    assert.deepEqual(await store.kv.getEntry(mine, 'k', now), { name: 'k', value: utf8('v') })
    assert.equal(await store.kv.getEntry(mine, 'new', now), undefined)
  })

  test('kv entries: values, metadata and expiration round-trip exactly', async ({ store, clock }) => {
    const scope = await newKvScope(store, 'a')
    const now = clock.now()
    const binary = new Uint8Array(256).map((_, i) => i)
    const expiration = seconds(now) + 3600
    assert.equal(
      await store.kv.putEntries(scope, [
        { key: 'binary', value: binary },
        { key: 'empty', value: new Uint8Array(0) },
        text('meta', 'm', { metadata: '{"z":1,"a":[true,null]}', expiration }),
        text('ünïcødé ✓/?#', 'u'),
      ]),
      true,
    )
    const got = await store.kv.getEntry(scope, 'binary', now)
    assert.ok(got?.value instanceof Uint8Array)
    assert.deepEqual(got, { name: 'binary', value: binary })
    assert.deepEqual(await store.kv.getEntry(scope, 'empty', now), { name: 'empty', value: new Uint8Array(0) })
    assert.deepEqual(await store.kv.getEntry(scope, 'meta', now), {
      name: 'meta',
      value: utf8('m'),
      expiration,
      metadata: '{"z":1,"a":[true,null]}',
    })
    const info = { name: 'meta', expiration, metadata: '{"z":1,"a":[true,null]}' }
    assert.deepEqual(await store.kv.getEntryInfo(scope, 'meta', now), info)
    const unicode = 'ünïcødé ✓/?#'
    assert.deepEqual(await store.kv.getEntry(scope, unicode, now), { name: unicode, value: utf8('u') })
    assert.equal(await store.kv.getEntry(scope, 'absent', now), undefined)
    assert.equal(await store.kv.getEntryInfo(scope, 'absent', now), undefined)
  })

  test('kv entries: a put replaces value, metadata and expiration together', async ({ store, clock }) => {
    const scope = await newKvScope(store, 'a')
    const now = clock.now()
    const expiration = seconds(now) + 60
    await store.kv.putEntries(scope, [text('k', 'first', { metadata: '{"v":1}', expiration })])
    await store.kv.putEntries(scope, [text('k', 'second')])
    assert.deepEqual(await store.kv.getEntry(scope, 'k', now), { name: 'k', value: utf8('second') })
    clock.advance(120_000)
    assert.deepEqual(await store.kv.getEntry(scope, 'k', clock.now()), { name: 'k', value: utf8('second') })
  })

  test('kv list: keys in UTF-8 byte order, not UTF-16 order', async ({ store, clock }) => {
    const scope = await newKvScope(store, 'a')
    const keys = ['z', 'a', 'B', 'ab', 'a b', 'é', '\uff5e', '\u{1f600}', 'a\u{10000}', 'a\uffff']
    await store.kv.putEntries(scope, keys.map((k) => text(k, k)))
    const expected = [...keys].sort(byteOrder)
    assert.notDeepEqual(expected, [...keys].sort(), 'the keys must tell byte order from UTF-16 order')
    const listed = await store.kv.listKeys(scope, { prefix: '', limit: 100, now: clock.now() })
    assert.deepEqual(listed.keys.map((k) => k.name), expected)
    assert.equal(listed.more, false)
  })

  test('kv list: prefix, after and limit page through the matching keys', async ({ store, clock }) => {
    const scope = await newKvScope(store, 'a')
    const keys = ['user:1', 'user:2', 'user:10', 'user;', 'user', 'users', 'éa', 'éb', 'ê', 'zzz']
    await store.kv.putEntries(scope, keys.map((k) => text(k, k, { metadata: `{"k":${JSON.stringify(k)}}` })))
    const now = clock.now()
    const twoByTwo = await listAll(store, scope, { prefix: 'user:', limit: 2, now })
    assert.deepEqual(twoByTwo, [['user:1', 'user:10'], ['user:2']])
    assert.deepEqual((await listAll(store, scope, { prefix: 'user', limit: 10, now })).flat(), [
      'user', 'user:1', 'user:10', 'user:2', 'user;', 'users',
    ])
    assert.deepEqual((await listAll(store, scope, { prefix: 'é', limit: 1, now })).flat(), ['éa', 'éb'])
    assert.deepEqual((await listAll(store, scope, { prefix: 'nope', limit: 5, now })).flat(), [])

    const page = await store.kv.listKeys(scope, { prefix: '', after: 'user:2', limit: 3, now })
    assert.deepEqual(page.keys.map((k) => k.name), ['user;', 'users', 'zzz'])
    assert.equal(page.more, true)
    assert.deepEqual(page.keys[0], { name: 'user;', metadata: '{"k":"user;"}' })
    // `after` need not be a stored key, and past the last key nothing remains.
    const between = await store.kv.listKeys(scope, { prefix: 'user', after: 'user:15', limit: 10, now })
    assert.deepEqual(between.keys.map((k) => k.name), ['user:2', 'user;', 'users'])
    const pastTheEnd = await store.kv.listKeys(scope, { prefix: '', after: 'ê', limit: 10, now })
    assert.deepEqual(pastTheEnd, { keys: [], more: false })
  })

  test('kv expiry: an entry is live until its expiration second, then gone from every read', async ({ store, clock }) => {
    const scope = await newKvScope(store, 'a')
    const names = async (now: number) => (await listAll(store, scope, { limit: 10, now })).flat()
    const expiration = seconds(clock.now()) + 60
    await store.kv.putEntries(scope, [text('short', 's', { expiration }), text('forever', 'f')])
    clock.set((expiration - 1) * 1000 + 999)
    let now = clock.now()
    assert.equal((await store.kv.getEntry(scope, 'short', now))?.expiration, expiration)
    assert.deepEqual(await names(now), ['forever', 'short'])

    clock.set(expiration * 1000)
    now = clock.now()
    assert.equal(await store.kv.getEntryInfo(scope, 'short', now), undefined)
    assert.deepEqual([...(await store.kv.getEntries(scope, ['short', 'forever'], now)).keys()], ['forever'])
    assert.deepEqual(await names(now), ['forever'])
    assert.equal(await store.kv.getEntry(scope, 'short', now), undefined)
    // A put revives the key with its new terms.
    await store.kv.putEntries(scope, [text('short', 'again')])
    assert.deepEqual(await store.kv.getEntry(scope, 'short', now), { name: 'short', value: utf8('again') })
  })

  test('kv expiry: reads purge what they find expired; purgeExpired takes the rest, up to its limit', async ({ store, clock }) => {
    const a = await newKvScope(store, 'a')
    const b = await newKvScope(store, 'b')
    const soon = seconds(clock.now()) + 10
    await store.kv.putEntries(a, [
      text('a1', '1', { expiration: soon }),
      text('a2', '2', { expiration: soon }),
      text('keep', 'k'),
    ])
    await store.kv.putEntries(b, [
      text('b1', '1', { expiration: soon }),
      text('b2', '2', { expiration: soon }),
      text('later', 'l', { expiration: soon + 1000 }),
    ])
    assert.equal(await store.kv.purgeExpired(clock.now(), 100), 0)

    clock.advance(10_000)
    assert.equal(await store.kv.getEntry(a, 'a1', clock.now()), undefined)
    assert.equal((await store.kv.getEntries(b, ['b1'], clock.now())).size, 0)
    // The reads took a1 and b1; a2 and b2 remain expired, across two namespaces.
    assert.equal(await store.kv.purgeExpired(clock.now(), 1), 1)
    assert.equal(await store.kv.purgeExpired(clock.now(), 100), 1)
    assert.equal(await store.kv.purgeExpired(clock.now(), 100), 0)
    assert.deepEqual((await store.kv.getEntries(a, ['keep'], clock.now())).get('keep')?.value, utf8('k'))
    assert.equal((await store.kv.getEntryInfo(b, 'later', clock.now()))?.expiration, soon + 1000)
  })

  test('kv bulk: thousands of entries in one put, read, listed and deleted together', async ({ store, clock }) => {
    const scope = await newKvScope(store, 'a')
    const now = clock.now()
    const keys = Array.from({ length: 2500 }, (_, i) => `key-${String(i).padStart(5, '0')}`)
    assert.equal(await store.kv.putEntries(scope, keys.map((k) => text(k, `value of ${k}`))), true)
    const pages = await listAll(store, scope, { limit: 1000, now })
    assert.deepEqual(pages.map((p) => p.length), [1000, 1000, 500])
    assert.deepEqual(pages.flat(), keys)

    const found = await store.kv.getEntries(scope, ['key-00007', 'missing', 'key-02499', 'key-00007'], now)
    assert.deepEqual([...found.keys()].sort(), ['key-00007', 'key-02499'])
    assert.deepEqual(found.get('key-02499')?.value, utf8('value of key-02499'))

    assert.equal(await store.kv.deleteEntries(scope, [...keys.slice(0, 2000), 'missing']), true)
    assert.deepEqual((await listAll(store, scope, { limit: 1000, now })).flat(), keys.slice(2000))
  })

  test('kv bulk: large values in one put, and the last write of a repeated key wins', async ({ store, clock }) => {
    const scope = await newKvScope(store, 'a')
    const MiB = 1024 * 1024
    const big = (fill: number) => new Uint8Array(3 * MiB).fill(fill)
    await store.kv.putEntries(scope, [
      { key: 'b1', value: big(1) },
      { key: 'b2', value: big(2) },
      text('dup', 'first', { metadata: '{"n":1}' }),
      { key: 'b3', value: big(3) },
      text('dup', 'last'),
    ])
    const now = clock.now()
    for (const [key, fill] of [['b1', 1], ['b2', 2], ['b3', 3]] as const) {
      const value = (await store.kv.getEntry(scope, key, now))?.value
      assert.equal(value?.byteLength, 3 * MiB)
      assert.ok(value?.every((b) => b === fill), key)
    }
    assert.deepEqual(await store.kv.getEntry(scope, 'dup', now), { name: 'dup', value: utf8('last') })
  })

  test('kv namespaces: deleting one deletes its entries; a deleted namespace takes no writes', async ({ store, clock }) => {
    const gone = await newKvScope(store, 'a')
    const keptNamespace = await store.kv.createNamespace(gone.accountId, 'kept')
    const kept = { accountId: gone.accountId, namespaceId: keptNamespace.id }
    const expiration = seconds(clock.now()) + 5
    await store.kv.putEntries(gone, [text('x', '1', { expiration }), text('y', '2')])
    await store.kv.putEntries(kept, [text('x', 'kept')])
    assert.equal(await store.kv.deleteNamespace(gone.accountId, gone.namespaceId), true)

    const now = clock.now()
    assert.equal(await store.kv.getEntry(gone, 'y', now), undefined)
    assert.equal(await store.kv.putEntries(gone, [text('z', '3')]), false)
    assert.equal(await store.kv.deleteEntries(gone, ['y']), false)
    assert.deepEqual(await store.kv.getEntry(kept, 'x', now), { name: 'x', value: utf8('kept') })
    clock.advance(10_000)
    assert.equal(await store.kv.purgeExpired(clock.now(), 100), 0, 'the expired entry went with its namespace')
  })
}
