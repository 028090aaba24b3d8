import assert from 'node:assert/strict'
import type { ZoneId } from '../../../src/domain/ids.js'
import { isoTime } from '../../../src/util/clock.js'
import type { DefineCase } from './suite.js'
import { StorageConflict } from '../../../src/storage/store.js'
import { newAccount } from './fixtures.js'

const byPattern = (a: { pattern: string }, b: { pattern: string }) => (a.pattern < b.pattern ? -1 : 1)

export function zoneCases(test: DefineCase): void {
  test('zones: create, get, and list filtered by account and name, in name order', async ({ store, clock }) => {
    const a = await newAccount(store, 'a')
    const b = await newAccount(store, 'b')
    const z1 = await store.zones.create(a, 'shop.example')
    const z2 = await store.zones.create(a, 'blog.example')
    const z3 = await store.zones.create(b, 'other.example')
    assert.match(z1.id, /^[0-9a-f]{32}$/)
    assert.deepEqual(z1, { id: z1.id, accountId: a, name: 'shop.example', createdOn: isoTime(clock.now()) })
    assert.deepEqual(await store.zones.get(z1.id), z1)
    assert.deepEqual(await store.zones.list({ accountId: a }), [z2, z1])
    assert.deepEqual(await store.zones.list({ name: 'other.example' }), [z3])
    assert.deepEqual(await store.zones.list({ accountId: a, name: 'other.example' }), [])
    assert.deepEqual(await store.zones.list({}), [z2, z3, z1])
    assert.equal(await store.zones.get('0'.repeat(32) as ZoneId), undefined)
  })

  test('zones: a zone name is unique across all accounts', async ({ store }) => {
    const a = await newAccount(store, 'a')
    const b = await newAccount(store, 'b')
    await store.zones.create(a, 'taken.example')
    await assert.rejects(store.zones.create(b, 'taken.example'), StorageConflict)
    await assert.rejects(store.zones.create(a, 'taken.example'), StorageConflict)
    assert.equal((await store.zones.list({ name: 'taken.example' })).length, 1)
  })

  test('routes: create, list in pattern order, update and delete; patterns unique per zone', async ({ store }) => {
    const a = await newAccount(store, 'a')
    const zone = await store.zones.create(a, 'shop.example')
    const other = await store.zones.create(a, 'blog.example')
    const r1 = await store.zones.createRoute(zone.id, 'shop.example/b/*', 'worker')
    const r2 = await store.zones.createRoute(zone.id, 'shop.example/a/*', null)
    assert.deepEqual(r2, { id: r2.id, zoneId: zone.id, pattern: 'shop.example/a/*', script: null })
    assert.deepEqual(await store.zones.routes(zone.id), [r2, r1])
    await assert.rejects(store.zones.createRoute(zone.id, 'shop.example/b/*', 'else'), StorageConflict)
    await store.zones.createRoute(other.id, 'shop.example/b/*', 'worker')

    const moved = await store.zones.updateRoute(zone.id, r1.id, 'shop.example/c/*', 'worker-2')
    assert.deepEqual(moved, { id: r1.id, zoneId: zone.id, pattern: 'shop.example/c/*', script: 'worker-2' })
    await assert.rejects(store.zones.updateRoute(zone.id, r1.id, 'shop.example/a/*', 'x'), StorageConflict)
    assert.equal(await store.zones.updateRoute(zone.id, 'missing', 'p', null), undefined)
    assert.equal(await store.zones.updateRoute(other.id, r1.id, 'p', null), undefined)
    assert.deepEqual(await store.zones.routes(zone.id), [r2, moved])

    assert.equal(await store.zones.deleteRoute(other.id, r1.id), false)
    assert.equal(await store.zones.deleteRoute(zone.id, r1.id), true)
    assert.equal(await store.zones.deleteRoute(zone.id, r1.id), false)
    assert.deepEqual(await store.zones.routes(zone.id), [r2])
  })

  test('routes: allRoutes carries the account and zone name of each', async ({ store }) => {
    const a = await newAccount(store, 'a')
    const b = await newAccount(store, 'b')
    const za = await store.zones.create(a, 'a.example')
    const zb = await store.zones.create(b, 'b.example')
    const ra = await store.zones.createRoute(za.id, 'a.example/*', 'wa')
    const rb = await store.zones.createRoute(zb.id, 'b.example/*', null)
    const all = (await store.zones.allRoutes()).sort(byPattern)
    assert.deepEqual(all, [
      { ...ra, accountId: a, zoneName: 'a.example' },
      { ...rb, accountId: b, zoneName: 'b.example' },
    ])
  })

  test('zones: deleting a zone deletes its routes', async ({ store }) => {
    const a = await newAccount(store, 'a')
    const zone = await store.zones.create(a, 'gone.example')
    const kept = await store.zones.create(a, 'kept.example')
    await store.zones.createRoute(zone.id, 'gone.example/*', 'w')
    const keptRoute = await store.zones.createRoute(kept.id, 'kept.example/*', 'w')
    assert.equal(await store.zones.delete(zone.id), true)
    assert.equal(await store.zones.delete(zone.id), false)
    assert.deepEqual(await store.zones.routes(zone.id), [])
    assert.deepEqual((await store.zones.allRoutes()).map((r) => r.id), [keptRoute.id])
  })

  test('routes: replaceScriptRoutes swaps one script\'s routes in one account, all or nothing', async ({ store }) => {
    const a = await newAccount(store, 'a')
    const b = await newAccount(store, 'b')
    const zone = await store.zones.create(a, 'a.example')
    const theirs = await store.zones.create(b, 'b.example')
    await store.zones.createRoute(zone.id, 'a.example/old/*', 'app')
    const otherScript = await store.zones.createRoute(zone.id, 'a.example/other/*', 'other')
    const otherAccount = await store.zones.createRoute(theirs.id, 'b.example/*', 'app')

    const placed = await store.zones.replaceScriptRoutes(a, 'app', [
      { zoneId: zone.id, pattern: 'a.example/new/*' },
      { zoneId: zone.id, pattern: 'a.example/api/*' },
    ])
    assert.deepEqual(placed.map((r) => [r.pattern, r.script]), [
      ['a.example/new/*', 'app'],
      ['a.example/api/*', 'app'],
    ])
    const after = await store.zones.routes(zone.id)
    assert.deepEqual(after.map((r) => r.pattern), ['a.example/api/*', 'a.example/new/*', 'a.example/other/*'])
    assert.deepEqual(await store.zones.routes(theirs.id), [otherAccount])

    // A pattern another script holds: nothing changes, not even the deletion of app's routes.
    await assert.rejects(
      store.zones.replaceScriptRoutes(a, 'app', [
        { zoneId: zone.id, pattern: 'a.example/fresh/*' },
        { zoneId: zone.id, pattern: otherScript.pattern },
      ]),
      StorageConflict,
    )
    assert.deepEqual(await store.zones.routes(zone.id), after)
  })

  test('custom hostnames: create, list by zone, update, delete; unique platform-wide; gone with their zone', async ({ store, clock }) => {
    const a = await newAccount(store, 'a')
    const b = await newAccount(store, 'b')
    const zone = await store.zones.create(a, 'saas.example')
    const theirs = await store.zones.create(b, 'other.example')
    const input = {
      id: 'c1',
      zoneId: zone.id,
      hostname: 'shop.customer.com',
      status: 'pending' as const,
      ssl: { method: 'http', settings: { min_tls_version: '1.2' } },
      customMetadata: { tenant: 'acme' },
      customOriginServer: null,
      verificationToken: 'token-1',
    }
    const created = await store.zones.createCustomHostname(input)
    assert.deepEqual(created, { ...input, createdAt: isoTime(clock.now()) })
    assert.deepEqual(await store.zones.customHostnames(zone.id), [created])
    await assert.rejects(store.zones.createCustomHostname({ ...input, id: 'c2', zoneId: theirs.id }), StorageConflict)
    const active = { ...created, status: 'active' as const, customMetadata: null, customOriginServer: 'app.saas.example' }
    assert.equal(await store.zones.updateCustomHostname(active), true)
    assert.deepEqual(await store.zones.customHostnames(zone.id), [active])
    assert.deepEqual(await store.zones.allCustomHostnames(), [{ ...active, accountId: a, zoneName: 'saas.example' }])
    assert.equal(await store.zones.deleteCustomHostname(theirs.id, 'c1'), false, 'only through its own zone')
    assert.equal(await store.zones.deleteCustomHostname(zone.id, 'c1'), true)
    assert.equal(await store.zones.updateCustomHostname(active), false)
    await store.zones.createCustomHostname({ ...input, id: 'c3' })
    await store.zones.delete(zone.id)
    assert.deepEqual(await store.zones.allCustomHostnames(), [])
  })

  test('fallback origins: set, replace keeping creation time, delete', async ({ store }) => {
    const a = await newAccount(store, 'a')
    const zone = await store.zones.create(a, 'saas.example')
    assert.equal(await store.zones.fallbackOrigin(zone.id), undefined)
    const first = await store.zones.setFallbackOrigin(zone.id, 'app.saas.example')
    assert.equal(first.origin, 'app.saas.example')
    const second = await store.zones.setFallbackOrigin(zone.id, 'www.saas.example')
    assert.deepEqual(second, { ...first, origin: 'www.saas.example', updatedAt: second.updatedAt })
    assert.deepEqual(await store.zones.allFallbackOrigins(), [second])
    assert.equal(await store.zones.deleteFallbackOrigin(zone.id), true)
    assert.equal(await store.zones.deleteFallbackOrigin(zone.id), false)
    assert.equal(await store.zones.fallbackOrigin(zone.id), undefined)
  })

  test('worker domains: put replaces the holder of a hostname, listed per account, deleted only by it', async ({ store }) => {
    const a = await newAccount(store, 'a')
    const b = await newAccount(store, 'b')
    const zone = await store.zones.create(a, 'shop.example')
    await store.zones.create(b, 'other.example')
    await store.zones.putWorkerDomain({ id: 'd1', zoneId: zone.id, hostname: 'www.shop.example', service: 'one', environment: 'production' })
    await store.zones.putWorkerDomain({ id: 'd2', zoneId: zone.id, hostname: 'www.shop.example', service: 'two', environment: 'production' })
    await store.zones.putWorkerDomain({ id: 'd3', zoneId: zone.id, hostname: 'api.shop.example', service: 'one', environment: 'production' })
    const listed = await store.zones.workerDomains(a)
    assert.deepEqual(listed.map((d) => [d.id, d.hostname, d.service, d.zoneName]), [
      ['d3', 'api.shop.example', 'one', 'shop.example'],
      ['d2', 'www.shop.example', 'two', 'shop.example'],
    ])
    assert.deepEqual(await store.zones.workerDomains(b), [])
    assert.equal(await store.zones.deleteWorkerDomain(b, 'd2'), false)
    assert.equal(await store.zones.deleteWorkerDomain(a, 'd2'), true)
    assert.deepEqual((await store.zones.allWorkerDomains()).map((d) => [d.id, d.accountId]), [['d3', a]])
  })
}
