import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { RecentlyUsed } from '../../src/util/recently-used.js'

describe('RecentlyUsed', () => {
  it('keeps the most recently used entries within a count', () => {
    const m = new RecentlyUsed<string, number>(2)
    m.set('a', 1)
    m.set('b', 2)
    assert.equal(m.get('a'), 1)
    m.set('c', 3)
    assert.equal(m.get('b'), undefined, 'b was the least recently used')
    assert.equal(m.get('a'), 1)
    assert.equal(m.get('c'), 3)
  })

  it('weighs entries, and replacing one frees its old weight', () => {
    const m = new RecentlyUsed<string, string>(10, (v) => v.length)
    m.set('a', 'xxxx')
    m.set('b', 'yyyy')
    m.set('a', 'x')
    m.set('c', 'zzzz')
    assert.deepEqual([m.get('a'), m.get('b'), m.get('c')], ['x', 'yyyy', 'zzzz'])
    m.set('d', 'wwwwwww')
    assert.equal(m.get('a'), undefined)
    assert.equal(m.get('b'), undefined)
    assert.equal(m.get('d'), 'wwwwwww')
  })
})
