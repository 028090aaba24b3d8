import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { describe, it } from 'node:test'
import { planMigrations, type MigrationInput } from '../../src/domain/durable-object-migrations.js'
import { ApiError } from '../../src/domain/errors.js'
import type { ScriptId } from '../../src/domain/ids.js'
import type { DurableObjectNamespace } from '../../src/storage/store.js'

// An isolate module (compiled by the workerd tsconfig): imported by path, as the loader ships it.
const ISOLATE = '../../src/bindings/durable-object-namespace/isolate/durable-object-namespace.js'
const { durableObjectNamespaceOf } = (await import(ISOLATE)) as { durableObjectNamespaceOf: (raw: unknown, ns: string) => unknown }

const ns = (className: string, id: string): DurableObjectNamespace => ({ id, className, scriptId: 's' as ScriptId, useSqlite: true, createdOn: '' })

function input(over: Partial<MigrationInput>): MigrationInput {
  let n = 0
  return {
    migrations: undefined,
    current: [],
    currentTag: null,
    namespacesOf: async () => undefined,
    newId: () => `id${++n}`,
    ...over,
  }
}

const codeOf = async (p: Promise<unknown>): Promise<number> => {
  try {
    await p
  } catch (e) {
    if (e instanceof ApiError) return e.code
    throw e
  }
  return 0
}

describe('Durable Object migrations', () => {
  it('new classes, then a rename in a later step, are written once under the last name', async () => {
    const plan = await planMigrations(input({ migrations: { new_tag: 'v2', steps: [{ new_sqlite_classes: ['A'] }, { renamed_classes: [{ from: 'A', to: 'B' }] }] } }))
    assert.deepEqual(plan.migration.create, [{ id: 'id1', className: 'B', useSqlite: true }])
    assert.deepEqual(plan.migration.rename, [])
    assert.deepEqual([...plan.classes], [['B', 'id1']])
    assert.equal(plan.migration.toTag, 'v2')
  })

  it('the tag precondition: old_tag must be the script tag (10079)', async () => {
    assert.equal(await codeOf(planMigrations(input({ currentTag: 'v1', migrations: { new_tag: 'v2', new_classes: ['X'] } }))), 10079)
    assert.equal(await codeOf(planMigrations(input({ currentTag: null, migrations: { old_tag: 'v1', new_tag: 'v2' } }))), 10079)
    assert.equal(await codeOf(planMigrations(input({ currentTag: 'v1', migrations: { old_tag: 'v1', new_tag: 'v2' } }))), 0)
  })

  it('steps that do not apply are refused (10074)', async () => {
    const current = [ns('A', 'a')]
    for (const step of [{ new_classes: ['A'] }, { renamed_classes: [{ from: 'Z', to: 'Y' }] }, { renamed_classes: [{ from: 'A', to: 'A' }] }, { deleted_classes: ['Z'] }, { transferred_classes: [{ from: 'Q', from_script: 'other', to: 'Q' }] }]) {
      assert.equal(await codeOf(planMigrations(input({ current, migrations: { steps: [step] } }))), 10074, JSON.stringify(step))
    }
  })

  it('delete of an existing class and transfer from another script keep ids', async () => {
    const plan = await planMigrations(
      input({
        current: [ns('A', 'a')],
        namespacesOf: async (s) => (s === 'other' ? [ns('Q', 'q')] : undefined),
        migrations: { steps: [{ deleted_classes: ['A'] }, { transferred_classes: [{ from: 'Q', from_script: 'other', to: 'R' }] }] },
      }),
    )
    assert.deepEqual(plan.migration.delete, ['a'])
    assert.deepEqual(plan.migration.move, [{ id: 'q', className: 'R' }])
    assert.deepEqual([...plan.classes], [['R', 'q']])
  })
})

describe('Durable Object ids in the isolate', () => {
  const raw = {} as never
  const a = durableObjectNamespaceOf(raw, 'ns-a') as Record<string, (...args: unknown[]) => { toString(): string; name?: string }>
  const b = durableObjectNamespaceOf(raw, 'ns-b') as typeof a

  it('idFromName is SHA-256 based, stable, 64 hex digits, and names itself', () => {
    const id = a.idFromName!('room')
    const body = createHash('sha256').update('ns-a:name:room').digest('hex').slice(0, 48)
    const mac = createHash('sha256').update(`ns-a:id:${body}`).digest('hex').slice(0, 16)
    assert.equal(id.toString(), body + mac)
    assert.equal(id.name, 'room')
    assert.equal(a.idFromName!('room').toString(), id.toString())
    assert.notEqual(b.idFromName!('room').toString(), id.toString())
  })

  it('idFromString round-trips its own ids and refuses another namespace or a malformed one', () => {
    const unique = a.newUniqueId!({ jurisdiction: 'eu' }).toString()
    assert.equal(a.idFromString!(unique).toString(), unique)
    assert.throws(() => b.idFromString!(unique), /does not match this Durable Object class/)
    assert.throws(() => a.idFromString!('xyz'), /Invalid Durable Object ID/)
  })
})
