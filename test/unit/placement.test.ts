import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { Placement } from '../../src/runtime/placement/placement.js'
import { openSqliteStore } from '../../src/storage/sqlite/index.js'
import { ManualClock } from '../helpers/manual-clock.js'

// Two nodes on one store: one owner at a time, a live owner keeps its resources, a dead one
// (no more renewals) loses them after one lease term, a stopped one at once.
describe('placement', () => {
  const setUp = () => {
    const clock = new ManualClock(1_800_000_000_000)
    const store = openSqliteStore({ file: ':memory:', clock })
    const node = (name: string) => new Placement({ store: store.placement, node: name, address: `http://${name}.internal`, clock, leaseMs: 9_000 })
    return { clock, store, a: node('a'), b: node('b') }
  }

  it('the first node to ask owns the resource; the other forwards to it', async () => {
    const { store, a, b } = setUp()
    assert.deepEqual(await a.owner('d1:one'), { local: true, acquired: true })
    assert.deepEqual(await a.owner('d1:one'), { local: true, acquired: false }, 'taken once, then held')
    assert.deepEqual(await b.owner('d1:one'), { local: false, node: 'a', address: 'http://a.internal' })
    assert.deepEqual(await b.owner('d1:two'), { local: true, acquired: true })
    assert.deepEqual(await a.owner('d1:two'), { local: false, node: 'b', address: 'http://b.internal' })
    await store.close()
  })

  it('a renewing owner keeps the resource; a dead one loses it after one term', async () => {
    const { clock, store, a, b } = setUp()
    await a.owner('d1:one')
    for (let i = 0; i < 5; i++) {
      clock.advance(a.renewEveryMs)
      await a.renew()
      assert.equal((await b.owner('d1:one')).local, false)
    }
    // a dies: no more renewals. Until its lease ends b still forwards to it, then b owns it.
    clock.advance(8_999)
    assert.equal((await b.owner('d1:one')).local, false)
    clock.advance(1)
    assert.deepEqual(await b.owner('d1:one'), { local: true, acquired: true })
    // a comes back: it learns b owns the resource now.
    await a.renew()
    assert.deepEqual(await a.owner('d1:one'), { local: false, node: 'b', address: 'http://b.internal' })
    // b stalls past its term (no renewal): its renewal does not take the lease back silently,
    // the next call sees it acquired again (another node may have written meanwhile).
    clock.advance(9_000)
    await b.renew()
    assert.deepEqual(await b.owner('d1:one'), { local: true, acquired: true })
    await store.close()
  })

  it('a node that stops cleanly hands its resources over at once', async () => {
    const { store, a, b } = setUp()
    await a.owner('do:counter')
    await a.releaseAll()
    assert.deepEqual(await b.owner('do:counter'), { local: true, acquired: true })
    // An owner that steps down (its copy is stale) releases just that resource.
    assert.deepEqual(await a.owner('do:counter'), { local: false, node: 'b', address: 'http://b.internal' })
    await b.release('do:counter')
    // a trusts the lease it read until it ends, or until b answers that it is not the owner.
    assert.deepEqual(await a.owner('do:counter'), { local: false, node: 'b', address: 'http://b.internal' })
    a.forgetOwner('do:counter')
    assert.deepEqual(await a.owner('do:counter'), { local: true, acquired: true })
    await store.close()
  })
})
