import assert from 'node:assert/strict'
import type { DefineCase } from './suite.js'
import { assetScope } from '../../../src/storage/store.js'
import { esmVersion, newAccount, newNamespaceScope, utf8 } from './fixtures.js'

export function assetCases(test: DefineCase): void {
  test('assets: files are content-addressed per script and stored once', async ({ store }) => {
    const a = await newAccount(store, 'a')
    const b = await newAccount(store, 'b')
    assert.deepEqual(await store.assets.missing(a, 'ns/site', ['h1', 'h2']), new Set(['h1', 'h2']))
    await store.assets.put(a, 'ns/site', [
      { hash: 'h1', contentType: 'text/html; charset=utf-8', content: utf8('<h1>hi</h1>') },
      { hash: 'h2', contentType: null, content: utf8('raw') },
    ])
    // A second upload of a stored hash changes nothing.
    await store.assets.put(a, 'ns/site', [{ hash: 'h1', contentType: 'text/plain', content: utf8('other') }])
    assert.deepEqual(await store.assets.missing(a, 'ns/site', ['h1', 'h2', 'h3']), new Set(['h3']))
    assert.deepEqual(await store.assets.missing(b, 'ns/site', ['h1']), new Set(['h1']))
    const h1 = await store.assets.get(a, 'ns/site', 'h1')
    assert.equal(h1?.contentType, 'text/html; charset=utf-8')
    assert.equal(Buffer.from(h1!.content).toString(), '<h1>hi</h1>')
    assert.equal((await store.assets.get(a, 'ns/site', 'h2'))?.contentType, null)
    assert.equal(await store.assets.get(b, 'ns/site', 'h1'), undefined)
    // Another script of the same account shares nothing.
    assert.deepEqual(await store.assets.missing(a, 'ns/other', ['h1']), new Set(['h1']))
    assert.equal(await store.assets.get(a, 'ns/other', 'h1'), undefined)
  })

  test('assets: upload sessions keep their manifest and scope', async ({ store, clock }) => {
    const scope = await newNamespaceScope(store, 'a')
    const session = {
      id: 'session-1',
      accountId: scope.accountId,
      namespaceId: scope.namespaceId,
      script: 'site',
      manifest: { '/index.html': { hash: 'h1', size: 11 } },
      expiresAt: clock.now() + 3600_000,
    }
    await store.assets.createSession(session)
    assert.deepEqual(await store.assets.session('session-1'), session)
    assert.equal(await store.assets.session('nope'), undefined)
  })

  test("assets: a script's files go when it is deleted, by name, by tag or with its namespace", async ({ store }) => {
    const scope = await newNamespaceScope(store, 'a')
    const file = (hash: string) => ({ hash, contentType: null, content: utf8(hash) })
    const filesOf = (name: string) => assetScope(scope.namespaceId, name)
    for (const name of ['one', 'two', 'three']) {
      await store.scripts.publish({ scope, name, version: esmVersion('export default {}'), tags: name === 'two' ? ['gone'] : [] })
      await store.assets.put(scope.accountId, filesOf(name), [file(`h-${name}`)])
    }
    const account = { accountId: scope.accountId, namespaceId: null }
    await store.scripts.publish({ scope: account, name: 'one', version: esmVersion('export default {}') })
    await store.assets.put(scope.accountId, assetScope(null, 'one'), [file('h-account')])

    await store.assets.createSession({
      id: 'session-of-one',
      accountId: scope.accountId,
      namespaceId: scope.namespaceId,
      script: 'one',
      manifest: {},
      expiresAt: Date.UTC(2100, 0, 1),
    })
    await store.scripts.delete(scope, 'one')
    assert.equal(await store.assets.get(scope.accountId, filesOf('one'), 'h-one'), undefined)
    assert.equal(await store.assets.session('session-of-one'), undefined, 'its upload sessions go too')
    assert.ok(await store.assets.get(scope.accountId, filesOf('three'), 'h-three'))
    await store.scripts.deleteByTags(scope, { yes: ['gone'], no: [] }, 10)
    assert.equal(await store.assets.get(scope.accountId, filesOf('two'), 'h-two'), undefined)
    const ns = await store.namespaces.getById(scope.namespaceId!)
    await store.namespaces.delete(scope.accountId, ns!.name)
    assert.equal(await store.assets.get(scope.accountId, filesOf('three'), 'h-three'), undefined)
    // The account script of the same name keeps its own.
    assert.ok(await store.assets.get(scope.accountId, assetScope(null, 'one'), 'h-account'))
  })

  test('assets: a version keeps its assets and they make its etag', async ({ store }) => {
    const scope = await newNamespaceScope(store, 'a')
    const assets = { manifest: { '/index.html': { hash: 'h1', size: 11 } }, config: { html_handling: 'none' } }
    const one = await store.scripts.publish({ scope, name: 'site', version: esmVersion('export default {}', { assets }) })
    assert.deepEqual((await store.scripts.version(one.version.id))?.assets, assets)
    const two = await store.scripts.publish({ scope, name: 'site', version: esmVersion('export default {}') })
    assert.equal(two.version.assets, null)
    assert.notEqual(one.version.etag, two.version.etag)
  })
}
