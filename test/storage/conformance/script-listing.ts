import assert from 'node:assert/strict'
import type { TagFilter } from '../../../src/domain/tags.js'
import type { DefineCase } from './suite.js'
import type { ScriptScope, Store } from '../../../src/storage/store.js'
import { byteOrder, esmVersion, newNamespaceScope } from './fixtures.js'

/** Publishes one script per entry: name → tags. */
async function seed(store: Store, scope: ScriptScope, scripts: Record<string, string[]>): Promise<void> {
  for (const [name, tags] of Object.entries(scripts)) {
    await store.scripts.publish({ scope, name, version: esmVersion(name), tags })
  }
}

/** Every name `list` answers, page by page, `limit` at a time. */
async function pages(store: Store, scope: ScriptScope, limit: number, filter?: TagFilter): Promise<string[][]> {
  const seen: string[][] = []
  let cursor = ''
  do {
    const opts = { limit, ...(cursor ? { cursor } : {}), ...(filter ? { filter } : {}) }
    const page = await store.scripts.list(scope, opts)
    seen.push(page.scripts.map((s) => s.name))
    cursor = page.cursor
  } while (cursor !== '' && seen.length < 50)
  return seen
}

export function scriptListingCases(test: DefineCase): void {
  test('count: the scope\'s scripts, no further than asked, never another scope\'s', async ({ store }) => {
    const scope = await newNamespaceScope(store, 'count')
    const other = await newNamespaceScope(store, 'count-other')
    assert.equal(await store.scripts.count(scope, 10), 0)
    await seed(store, scope, { a: [], b: [], c: [] })
    await seed(store, other, { d: [] })
    assert.equal(await store.scripts.count(scope, 10), 3)
    assert.equal(await store.scripts.count(scope, 2), 2)
    assert.equal(await store.scripts.count(other, 10), 1)
    assert.equal(await store.scripts.count({ accountId: scope.accountId, namespaceId: null }, 10), 0)
  })

  test('list: names in byte order, paged by cursor; the last page has an empty cursor', async ({ store }) => {
    const scope = await newNamespaceScope(store, 'a')
    const names = ['b', 'B', 'a-b', 'a_b', 'ab', 'a', 'Z9']
    await seed(store, scope, Object.fromEntries(names.map((n) => [n, []])))
    const expected = [...names].sort(byteOrder)
    assert.deepEqual(expected, ['B', 'Z9', 'a', 'a-b', 'a_b', 'ab', 'b'])

    const threes = [expected.slice(0, 3), expected.slice(3, 6), expected.slice(6)]
    assert.deepEqual(await pages(store, scope, 3), threes)
    // A page that ends exactly at the last script is the last page.
    const all = await store.scripts.list(scope, { limit: expected.length })
    assert.deepEqual(all.scripts.map((s) => s.name), expected)
    assert.equal(all.cursor, '')
    assert.deepEqual(await pages(store, scope, 1), expected.map((n) => [n]))
  })

  test('list: tag filters require every yes tag and no no tag, across pages', async ({ store }) => {
    const scope = await newNamespaceScope(store, 'a')
    await seed(store, scope, {
      s1: ['blue', 'prod'],
      s2: ['blue'],
      s3: ['blue', 'prod', 'legacy'],
      s4: ['prod'],
      s5: [],
      s6: ['blue', 'prod'],
    })
    const names = async (yes: string[], no: string[]) => (await pages(store, scope, 2, { yes, no })).flat()
    assert.deepEqual(await names(['blue'], []), ['s1', 's2', 's3', 's6'])
    assert.deepEqual(await names(['blue', 'prod'], []), ['s1', 's3', 's6'])
    assert.deepEqual(await names(['blue', 'prod'], ['legacy']), ['s1', 's6'])
    assert.deepEqual(await names([], ['blue']), ['s4', 's5'])
    assert.deepEqual(await names(['nope'], []), [])
    assert.deepEqual(await pages(store, scope, 2, { yes: ['prod'], no: [] }), [['s1', 's3'], ['s4', 's6']])
    const page = await store.scripts.list(scope, { limit: 10, filter: { yes: ['legacy'], no: [] } })
    assert.deepEqual(page.scripts[0]?.tags, ['blue', 'legacy', 'prod'])
  })

  test('list: shows only the scripts of the scope', async ({ store }) => {
    const scope = await newNamespaceScope(store, 'a')
    const dev = await store.namespaces.create(scope.accountId, 'dev')
    await seed(store, scope, { mine: [] })
    await seed(store, { accountId: scope.accountId, namespaceId: dev.id }, { theirs: [] })
    const top = { accountId: scope.accountId, namespaceId: null }
    await seed(store, top, { top: [] })
    assert.deepEqual((await pages(store, scope, 10)).flat(), ['mine'])
    assert.deepEqual((await pages(store, top, 10)).flat(), ['top'])
  })

  test('delete: removes the script with its versions, tags and deployments', async ({ store }) => {
    const scope = await newNamespaceScope(store, 'a')
    const v1 = await store.scripts.publish({ scope, name: 'app', version: esmVersion('v1'), tags: ['t'] })
    await store.scripts.publish({ scope, name: 'keep', version: esmVersion('keep'), tags: ['t'] })
    assert.equal(await store.scripts.delete(scope, 'app'), true)
    assert.equal(await store.scripts.get(scope, 'app'), undefined)
    assert.equal(await store.scripts.getById(v1.script.id), undefined)
    assert.equal(await store.scripts.version(v1.version.id), undefined)
    assert.deepEqual(await store.scripts.versions(v1.script.id), [])
    assert.deepEqual(await store.scripts.deployments(v1.script.id), [])
    assert.deepEqual((await pages(store, scope, 10, { yes: ['t'], no: [] })).flat(), ['keep'])
    assert.equal(await store.scripts.delete(scope, 'app'), false)

    // The name is free again, and starts over.
    const again = await store.scripts.publish({ scope, name: 'app', version: esmVersion('v'), ifCurrent: null })
    assert.equal(again.created, true)
    assert.equal(again.version.number, 1)
    assert.deepEqual(again.script.tags, [])
  })

  test('deleteByTags: deletes up to the limit in name order and says whether more match', async ({ store }) => {
    const scope = await newNamespaceScope(store, 'a')
    await seed(store, scope, { d: ['old'], b: ['old'], a: ['old', 'pinned'], c: ['old'], e: ['new'] })
    const filter = { yes: ['old'], no: ['pinned'] }
    const first = await store.scripts.deleteByTags(scope, filter, 2)
    assert.deepEqual(first.deleted.map((d) => d.name), ['b', 'c'])
    assert.equal(first.hasMore, true)
    const second = await store.scripts.deleteByTags(scope, filter, 2)
    assert.deepEqual(second.deleted.map((d) => d.name), ['d'])
    assert.equal(second.hasMore, false)
    assert.deepEqual(await store.scripts.deleteByTags(scope, filter, 2), { deleted: [], hasMore: false })
    assert.deepEqual((await pages(store, scope, 10)).flat(), ['a', 'e'])
    assert.equal(await store.scripts.getById(first.deleted[0]!.id), undefined)
  })

  test('tags: setTags replaces the set; an unknown script answers undefined', async ({ store }) => {
    const scope = await newNamespaceScope(store, 'a')
    await store.scripts.publish({ scope, name: 'app', version: esmVersion('v1'), tags: ['x', 'y'] })
    const set = await store.scripts.setTags(scope, 'app', ['z', 'b'])
    assert.deepEqual(set?.tags, ['b', 'z'])
    assert.deepEqual((await store.scripts.get(scope, 'app'))?.tags, ['b', 'z'])
    assert.deepEqual((await store.scripts.setTags(scope, 'app', []))?.tags, [])
    assert.equal(await store.scripts.setTags(scope, 'missing', ['a']), undefined)
  })

  test('tags: addTag adds, finds it present, or refuses when full', async ({ store }) => {
    const scope = await newNamespaceScope(store, 'a')
    await store.scripts.publish({ scope, name: 'app', version: esmVersion('v1'), tags: ['a'] })
    const added = await store.scripts.addTag(scope, 'app', 'b', 3)
    assert.equal(added?.outcome, 'added')
    assert.deepEqual(added?.script.tags, ['a', 'b'])
    const present = await store.scripts.addTag(scope, 'app', 'a', 3)
    assert.equal(present?.outcome, 'present')
    assert.deepEqual(present?.script.tags, ['a', 'b'])
    assert.equal((await store.scripts.addTag(scope, 'app', 'c', 3))?.outcome, 'added')
    const full = await store.scripts.addTag(scope, 'app', 'd', 3)
    assert.equal(full?.outcome, 'full')
    assert.deepEqual(full?.script.tags, ['a', 'b', 'c'])
    // Present wins over full: re-adding a tag the script has is never refused.
    assert.equal((await store.scripts.addTag(scope, 'app', 'c', 3))?.outcome, 'present')
    assert.equal(await store.scripts.addTag(scope, 'missing', 'a', 3), undefined)
  })

  test('tags: concurrent addTag calls never pass the limit', async ({ store }) => {
    const scope = await newNamespaceScope(store, 'a')
    await store.scripts.publish({ scope, name: 'app', version: esmVersion('v1') })
    const outcomes = await Promise.all(
      ['t1', 't2', 't3', 't4', 't5', 't6', 't7'].map((tag) => store.scripts.addTag(scope, 'app', tag, 3)),
    )
    assert.equal(outcomes.filter((o) => o?.outcome === 'added').length, 3)
    assert.equal(outcomes.filter((o) => o?.outcome === 'full').length, 4)
    assert.equal((await store.scripts.get(scope, 'app'))?.tags.length, 3)
  })

  test('tags: removeTag removes one tag; an absent tag is fine', async ({ store }) => {
    const scope = await newNamespaceScope(store, 'a')
    await store.scripts.publish({ scope, name: 'app', version: esmVersion('v1'), tags: ['a', 'b'] })
    assert.deepEqual((await store.scripts.removeTag(scope, 'app', 'a'))?.tags, ['b'])
    assert.deepEqual((await store.scripts.removeTag(scope, 'app', 'never'))?.tags, ['b'])
    assert.deepEqual((await store.scripts.get(scope, 'app'))?.tags, ['b'])
    assert.equal(await store.scripts.removeTag(scope, 'missing', 'b'), undefined)
  })
}
