import assert from 'node:assert/strict'
import type { NamespaceId } from '../../../src/domain/ids.js'
import { isoTime } from '../../../src/util/clock.js'
import type { DefineCase } from './suite.js'
import { StorageConflict } from '../../../src/storage/store.js'
import { esmVersion, newAccount } from './fixtures.js'

export function namespaceCases(test: DefineCase): void {
  test('namespaces: create answers the new namespace, empty and untrusted', async ({ store, clock }) => {
    const accountId = await newAccount(store, 'acme')
    const ns = await store.namespaces.create(accountId, 'production')
    assert.match(ns.id, /^[0-9a-f-]{36}$/)
    const now = isoTime(clock.now())
    assert.deepEqual(ns, {
      id: ns.id,
      accountId,
      name: 'production',
      trustedWorkers: false,
      createdOn: now,
      modifiedOn: now,
      scriptCount: 0,
    })
    assert.deepEqual(await store.namespaces.get(accountId, 'production'), ns)
    assert.deepEqual(await store.namespaces.getById(ns.id), ns)
  })

  test('namespaces: a name is unique within an account, not across accounts', async ({ store }) => {
    const a = await newAccount(store, 'a')
    const b = await newAccount(store, 'b')
    const first = await store.namespaces.create(a, 'shared')
    await assert.rejects(store.namespaces.create(a, 'shared'), StorageConflict)
    const theirs = await store.namespaces.create(b, 'shared')
    assert.notEqual(theirs.id, first.id)
    assert.deepEqual((await store.namespaces.list(a)).map((n) => n.id), [first.id])
  })

  test('namespaces: list shows the account\'s own, in creation order', async ({ store, clock }) => {
    const a = await newAccount(store, 'a')
    const b = await newAccount(store, 'b')
    await store.namespaces.create(a, 'zeta')
    clock.advance(1)
    await store.namespaces.create(a, 'alpha')
    await store.namespaces.create(b, 'other')
    assert.deepEqual((await store.namespaces.list(a)).map((n) => n.name), ['zeta', 'alpha'])
    assert.deepEqual(await store.namespaces.list(await newAccount(store, 'c')), [])
  })

  test('namespaces: update renames and flips trust; modifiedOn moves, createdOn stays', async ({ store, clock }) => {
    const a = await newAccount(store, 'a')
    const created = await store.namespaces.create(a, 'staging')
    clock.advance(5000)
    const renamed = await store.namespaces.update(a, 'staging', { name: 'qa' })
    assert.equal(renamed?.name, 'qa')
    assert.equal(renamed?.id, created.id)
    assert.equal(renamed?.trustedWorkers, false)
    assert.equal(renamed?.createdOn, created.createdOn)
    assert.equal(renamed?.modifiedOn, isoTime(clock.now()))
    assert.equal(await store.namespaces.get(a, 'staging'), undefined)

    const trusted = await store.namespaces.update(a, 'qa', { trustedWorkers: true })
    assert.equal(trusted?.name, 'qa')
    assert.equal(trusted?.trustedWorkers, true)
    assert.equal(await store.namespaces.update(a, 'missing', { name: 'x' }), undefined)
  })

  test('namespaces: renaming onto a taken name is a conflict and changes nothing', async ({ store }) => {
    const a = await newAccount(store, 'a')
    await store.namespaces.create(a, 'one')
    await store.namespaces.create(a, 'two')
    const clash = store.namespaces.update(a, 'one', { name: 'two', trustedWorkers: true })
    await assert.rejects(clash, StorageConflict)
    const one = await store.namespaces.get(a, 'one')
    assert.equal(one?.trustedWorkers, false)
    assert.deepEqual((await store.namespaces.list(a)).map((n) => n.name), ['one', 'two'])
  })

  test('namespaces: scriptCount counts the scripts in that namespace only', async ({ store }) => {
    const a = await newAccount(store, 'a')
    const prod = await store.namespaces.create(a, 'prod')
    const dev = await store.namespaces.create(a, 'dev')
    const inProd = { accountId: a, namespaceId: prod.id }
    for (const name of ['one', 'two']) {
      await store.scripts.publish({ scope: inProd, name, version: esmVersion(name) })
    }
    const top = { accountId: a, namespaceId: null }
    await store.scripts.publish({ scope: top, name: 'top', version: esmVersion('top') })
    assert.equal((await store.namespaces.get(a, 'prod'))?.scriptCount, 2)
    assert.equal((await store.namespaces.getById(dev.id))?.scriptCount, 0)
    const counts = Object.fromEntries((await store.namespaces.list(a)).map((n) => [n.name, n.scriptCount]))
    assert.deepEqual(counts, { prod: 2, dev: 0 })
  })

  test('namespaces: delete takes the scripts with it and nothing else', async ({ store }) => {
    const a = await newAccount(store, 'a')
    const doomed = await store.namespaces.create(a, 'doomed')
    const kept = await store.namespaces.create(a, 'kept')
    const inDoomed = await store.scripts.publish({
      scope: { accountId: a, namespaceId: doomed.id },
      name: 'worker',
      version: esmVersion('doomed'),
      tags: ['t'],
    })
    const publishIn = (namespaceId: NamespaceId | null) => {
      const scope = { accountId: a, namespaceId }
      return store.scripts.publish({ scope, name: 'worker', version: esmVersion(`${namespaceId}`) })
    }
    const inKept = await publishIn(kept.id)
    const top = await publishIn(null)

    assert.equal(await store.namespaces.delete(a, 'doomed'), true)
    assert.equal(await store.namespaces.get(a, 'doomed'), undefined)
    assert.equal(await store.namespaces.getById(doomed.id), undefined)
    assert.equal(await store.scripts.getById(inDoomed.script.id), undefined)
    assert.equal(await store.scripts.version(inDoomed.version.id), undefined)
    assert.deepEqual(await store.scripts.deployments(inDoomed.script.id), [])
    assert.ok(await store.scripts.getById(inKept.script.id))
    assert.ok(await store.scripts.getById(top.script.id))
    assert.equal(await store.namespaces.delete(a, 'doomed'), false)
  })

  test('namespaces: another account cannot see, change or delete them', async ({ store }) => {
    const owner = await newAccount(store, 'owner')
    const other = await newAccount(store, 'other')
    const ns = await store.namespaces.create(owner, 'mine')
    assert.equal(await store.namespaces.get(other, 'mine'), undefined)
    const stolen = await store.namespaces.update(other, 'mine', { name: 'stolen', trustedWorkers: true })
    assert.equal(stolen, undefined)
    assert.equal(await store.namespaces.delete(other, 'mine'), false)
    assert.deepEqual(await store.namespaces.get(owner, 'mine'), ns)
    const unknown = '00000000-0000-4000-8000-000000000000' as NamespaceId
    assert.equal(await store.namespaces.getById(unknown), undefined)
  })
}
