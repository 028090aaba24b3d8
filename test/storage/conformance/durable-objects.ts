import assert from 'node:assert/strict'
import type { DefineCase } from './suite.js'
import { esmVersion, newNamespaceScope } from './fixtures.js'

const empty = { create: [], rename: [], move: [], delete: [] }

export function durableObjectCases(test: DefineCase): void {
  test('durable objects: a migration applies under its tag precondition, renames keep the id, transfers move it, deletes cascade', async ({ store }) => {
    const scope = await newNamespaceScope(store, 'do')
    const { script } = await store.scripts.publish({ scope, name: 'rooms', version: esmVersion('export default {}') })
    const { script: other } = await store.scripts.publish({ scope, name: 'lobby', version: esmVersion('export default {}') })
    assert.equal(script.migrationTag, null)

    const first = await store.durableObjects.migrate(script.id, {
      ...empty,
      fromTag: null,
      toTag: 'v1',
      create: [
        { id: 'a'.repeat(32), className: 'Room', useSqlite: true },
        { id: 'b'.repeat(32), className: 'Chat', useSqlite: false },
      ],
    })
    assert.deepEqual(first, { applied: true })
    assert.equal((await store.scripts.getById(script.id))?.migrationTag, 'v1')
    const rows = await store.durableObjects.ofScript(script.id)
    assert.deepEqual(rows.map((r) => [r.className, r.useSqlite]).sort(), [['Chat', false], ['Room', true]])

    // A plan made against another tag changes nothing and answers the tag the script has.
    const stale = await store.durableObjects.migrate(script.id, { ...empty, fromTag: null, toTag: 'v2', delete: ['a'.repeat(32)] })
    assert.deepEqual(stale, { applied: false, currentTag: 'v1' })
    assert.equal((await store.durableObjects.ofScript(script.id)).length, 2)

    // Two classes swapping names in one migration: the unique (script, class) rule holds throughout.
    await store.durableObjects.migrate(script.id, {
      ...empty,
      fromTag: 'v1',
      toTag: 'v2',
      rename: [
        { id: 'a'.repeat(32), className: 'Chat' },
        { id: 'b'.repeat(32), className: 'Room' },
      ],
    })
    const swapped = await store.durableObjects.get('a'.repeat(32))
    assert.equal(swapped?.className, 'Chat')
    assert.equal(swapped?.scriptName, 'rooms')
    assert.equal(swapped?.namespaceId, scope.namespaceId)

    await store.durableObjects.migrate(other.id, { ...empty, fromTag: null, toTag: 't1', move: [{ id: 'a'.repeat(32), className: 'Hall' }] })
    const moved = await store.durableObjects.get('a'.repeat(32))
    assert.equal(moved?.scriptName, 'lobby')
    assert.equal(moved?.className, 'Hall')

    await store.durableObjects.migrate(script.id, { ...empty, fromTag: 'v2', toTag: null, delete: ['b'.repeat(32)] })
    assert.deepEqual(await store.durableObjects.ofScript(script.id), [])
    assert.equal((await store.scripts.getById(script.id))?.migrationTag, 'v2')

    assert.equal(await store.scripts.delete(scope, 'lobby'), true)
    assert.equal(await store.durableObjects.get('a'.repeat(32)), undefined)
  })
}
