import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { InvalidationLanes, mergeInvalidations, type Invalidation } from '../../src/runtime/invalidations.js'

const script = (name: string) => ({ accountId: 'a', namespaceId: 'n', name })

describe('invalidation lanes', () => {
  it('sends what arrives during a message in one next message, and answers each after its own', async () => {
    const sent: Array<{ lane: string; what: Invalidation }> = []
    const pending: Array<() => void> = []
    const lanes = new InvalidationLanes((lane, what) => {
      sent.push({ lane, what })
      return new Promise((resolve) => pending.push(resolve))
    })
    const done: string[] = []
    const first = lanes.send('0:1', { scripts: [script('a')] }).then(() => done.push('a'))
    const second = lanes.send('0:1', { scripts: [script('b')] }).then(() => done.push('b'))
    const third = lanes.send('0:1', { routes: true }).then(() => done.push('c'))
    const other = lanes.send('1:2', { all: true }).then(() => done.push('other'))
    assert.equal(sent.length, 2, 'one message per lane while the first is on its way')
    pending.shift()!()
    await first
    assert.deepEqual(done, ['a'])
    assert.deepEqual(sent[2], { lane: '0:1', what: { routes: true, scripts: [script('b')] } })
    pending.shift()!() // lane 1:2
    pending.shift()!() // the merged message
    await Promise.all([second, third, other])
    assert.deepEqual(done.sort(), ['a', 'b', 'c', 'other'])
    assert.equal(sent.length, 3)
    // An idle lane sends at once again.
    void lanes.send('0:1', { scripts: [script('d')] })
    assert.equal(sent.length, 4)
  })

  it('merges into the union of what both drop', () => {
    assert.deepEqual(mergeInvalidations({ kv: [{ accountId: 'a', namespaceId: 'k' }] }, { all: true, scripts: [script('x')] }), {
      all: true,
      scripts: [script('x')],
      kv: [{ accountId: 'a', namespaceId: 'k' }],
    })
  })
})
