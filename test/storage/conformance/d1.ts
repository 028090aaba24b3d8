import assert from 'node:assert/strict'
import type { DefineCase } from './suite.js'
import type { D1DatabaseId } from '../../../src/domain/ids.js'
import { StorageConflict } from '../../../src/storage/store.js'
import { newAccount } from './fixtures.js'

export function d1Cases(test: DefineCase): void {
  test('d1 databases: create, list in creation order, get by id and name, delete', async ({ store }) => {
    const a = await newAccount(store, 'a')
    const one = await store.d1.createDatabase(a, 'first')
    const two = await store.d1.createDatabase(a, 'second')
    assert.match(one.id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)
    assert.deepEqual(one, { id: one.id, accountId: a, name: 'first', createdOn: one.createdOn })
    assert.deepEqual((await store.d1.listDatabases(a)).map((d) => d.name).sort(), ['first', 'second'])
    assert.deepEqual(await store.d1.getDatabase(a, one.id), one)
    assert.deepEqual(await store.d1.findDatabaseByName(a, 'second'), two)
    assert.equal(await store.d1.deleteDatabase(a, one.id), true)
    assert.equal(await store.d1.deleteDatabase(a, one.id), false)
    assert.equal(await store.d1.getDatabase(a, one.id), undefined)
    assert.equal(await store.d1.getDatabase(a, 'ffffffff-ffff-4fff-8fff-ffffffffffff' as D1DatabaseId), undefined)
  })

  test('d1 database names are unique per account; another account sees none of them', async ({ store }) => {
    const a = await newAccount(store, 'a')
    const b = await newAccount(store, 'b')
    const db = await store.d1.createDatabase(a, 'shared-name')
    await assert.rejects(store.d1.createDatabase(a, 'shared-name'), StorageConflict)
    const theirs = await store.d1.createDatabase(b, 'shared-name')
    assert.notEqual(theirs.id, db.id)
    assert.equal(await store.d1.getDatabase(b, db.id), undefined)
    assert.equal(await store.d1.deleteDatabase(b, db.id), false)
    assert.deepEqual(await store.d1.listDatabases(a), [db])
  })
}
