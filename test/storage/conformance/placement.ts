import assert from 'node:assert/strict'
import type { DefineCase } from './suite.js'

export function placementCases(test: DefineCase): void {
  const lease = (node: string, expiresAt: number) => ({ resource: 'd1:db-1', node, address: `http://${node}`, expiresAt })

  test('placement leases: the first claim wins; another node gets the holder until it expires', async ({ store }) => {
    assert.equal(await store.placement.getLease('d1:db-1'), undefined)
    assert.deepEqual(await store.placement.claimLease(lease('a', 2_000), 1_000), lease('a', 2_000))
    // b asks before a's lease ends: it learns a holds it, and nothing changes.
    assert.deepEqual(await store.placement.claimLease(lease('b', 2_500), 1_500), lease('a', 2_000))
    // a renews its own lease.
    assert.deepEqual(await store.placement.claimLease(lease('a', 3_000), 1_600), lease('a', 3_000))
    // Once it has expired, b takes it over.
    assert.deepEqual(await store.placement.claimLease(lease('b', 4_000), 3_000), lease('b', 4_000))
    assert.deepEqual(await store.placement.getLease('d1:db-1'), lease('b', 4_000))
  })

  test('placement leases: only the holder releases; a released lease is free', async ({ store }) => {
    await store.placement.claimLease(lease('a', 2_000), 1_000)
    assert.equal(await store.placement.releaseLease('d1:db-1', 'b'), false)
    assert.equal(await store.placement.releaseLease('d1:db-1', 'a'), true)
    assert.deepEqual(await store.placement.claimLease(lease('b', 2_500), 1_100), lease('b', 2_500))
  })

  test('placement leases: of many concurrent claims exactly one node wins', async ({ store }) => {
    const nodes = ['n1', 'n2', 'n3', 'n4', 'n5', 'n6']
    const answers = await Promise.all(nodes.map((n) => store.placement.claimLease({ resource: 'do:x', node: n, address: n, expiresAt: 9_000 }, 1_000)))
    const winners = new Set(answers.map((l) => l.node))
    assert.equal(winners.size, 1)
    assert.equal((await store.placement.getLease('do:x'))!.node, [...winners][0])
  })

  test('object alarms: due alarms of objects whose lease is free or expired, soonest first; moved and deleted', async ({ store }) => {
    const p = store.placement
    const id = (c: string) => c.repeat(64)
    await p.setObjectAlarm({ namespaceId: 'ns', objectId: id('a'), alarmAt: 2_000 })
    await p.setObjectAlarm({ namespaceId: 'ns', objectId: id('b'), alarmAt: 1_000 })
    await p.setObjectAlarm({ namespaceId: 'ns', objectId: id('c'), alarmAt: 9_000 })
    // b's owner holds its lease past now; a's lease has run out; c is not due.
    await p.claimLease({ resource: `do:ns:${id('b')}`, node: 'n1', address: 'n1', expiresAt: 5_000 }, 0)
    await p.claimLease({ resource: `do:ns:${id('a')}`, node: 'n1', address: 'n1', expiresAt: 2_500 }, 0)
    assert.deepEqual(await p.orphanedObjectAlarms(3_000, 10), [{ namespaceId: 'ns', objectId: id('a'), alarmAt: 2_000 }])
    assert.deepEqual((await p.orphanedObjectAlarms(6_000, 10)).map((a) => a.objectId), [id('b'), id('a')])
    assert.equal((await p.orphanedObjectAlarms(6_000, 1)).length, 1)
    // Moved later, then deleted: no longer due.
    await p.setObjectAlarm({ namespaceId: 'ns', objectId: id('b'), alarmAt: 8_000 })
    await p.deleteObjectAlarm('ns', id('a'))
    assert.deepEqual(await p.orphanedObjectAlarms(6_000, 10), [])
    assert.deepEqual(await p.orphanedObjectAlarms(9_000, 10), [
      { namespaceId: 'ns', objectId: id('b'), alarmAt: 8_000 },
      { namespaceId: 'ns', objectId: id('c'), alarmAt: 9_000 },
    ])
  })

  const page = (no: number, fill: number) => ({ no, data: new Uint8Array(16).fill(fill) })
  const bytes = (pages: Array<{ no: number; data: Uint8Array }>) => pages.map((p) => [p.no, Array.from(p.data)])

  test('page images: each write moves the version by one and keeps the newest bytes of each page', async ({ store }) => {
    const p = store.placement
    assert.equal(await p.getImage('d1:db-1'), undefined)
    assert.equal(await p.writePages({ resource: 'd1:db-1', fromVersion: 0, pageSize: 16, pageCount: 3, pages: [page(0, 1), page(1, 2), page(2, 3)] }), 1)
    assert.equal(await p.writePages({ resource: 'd1:db-1', fromVersion: 1, pageSize: 16, pageCount: 3, pages: [page(1, 9)] }), 2)
    assert.deepEqual(await p.getImage('d1:db-1'), { resource: 'd1:db-1', version: 2, pageSize: 16, pageCount: 3 })
    assert.deepEqual(bytes(await p.readPages('d1:db-1', 0, 10)), bytes([page(0, 1), page(1, 9), page(2, 3)]))
    // Read in slices, as a rebuild does.
    assert.deepEqual(bytes(await p.readPages('d1:db-1', 1, 1)), bytes([page(1, 9)]))
    // A file that shrank drops its pages past the end.
    assert.equal(await p.writePages({ resource: 'd1:db-1', fromVersion: 2, pageSize: 16, pageCount: 1, pages: [] }), 3)
    assert.deepEqual(bytes(await p.readPages('d1:db-1', 0, 10)), bytes([page(0, 1)]))
  })

  test('page images: a writer that did not see the last version is refused and changes nothing', async ({ store }) => {
    const p = store.placement
    await p.writePages({ resource: 'do:x', fromVersion: 0, pageSize: 16, pageCount: 1, pages: [page(0, 1)] })
    assert.equal(await p.writePages({ resource: 'do:x', fromVersion: 0, pageSize: 16, pageCount: 1, pages: [page(0, 7)] }), undefined)
    assert.equal(await p.writePages({ resource: 'do:x', fromVersion: 5, pageSize: 16, pageCount: 2, pages: [page(0, 7), page(1, 7)] }), undefined)
    assert.deepEqual(await p.getImage('do:x'), { resource: 'do:x', version: 1, pageSize: 16, pageCount: 1 })
    assert.deepEqual(bytes(await p.readPages('do:x', 0, 10)), bytes([page(0, 1)]))
    await p.deleteImage('do:x')
    assert.equal(await p.getImage('do:x'), undefined)
    assert.deepEqual(await p.readPages('do:x', 0, 10), [])
  })

  test('page images: the first page of each image under a prefix, and of no other', async ({ store }) => {
    const p = store.placement
    await p.writePages({ resource: 'heads:b', fromVersion: 0, pageSize: 16, pageCount: 2, pages: [page(0, 2), page(1, 3)] })
    await p.writePages({ resource: 'heads:a', fromVersion: 0, pageSize: 16, pageCount: 1, pages: [page(0, 1)] })
    await p.writePages({ resource: 'headt', fromVersion: 0, pageSize: 16, pageCount: 1, pages: [page(0, 4)] })
    await p.writePages({ resource: 'heads', fromVersion: 0, pageSize: 16, pageCount: 1, pages: [page(0, 5)] })
    const heads = await p.firstPages('heads:')
    assert.deepEqual(heads.map((h) => [h.resource, Array.from(h.data)]), [['heads:a', Array.from(page(0, 1).data)], ['heads:b', Array.from(page(0, 2).data)]])
    for (const r of ['heads:a', 'heads:b', 'headt', 'heads']) await p.deleteImage(r)
  })
}
