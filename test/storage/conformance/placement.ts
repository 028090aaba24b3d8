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
}
