import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { Containment } from '../../src/runtime/containment.js'
import { STARTUP_CHECK_KEY } from '../../src/shared/protocol.js'
import { primarySuspect } from '../../src/runtime/watchdog.js'

const user = (name: string) => `acct/ns-1/${name}`
const dispatcher = 'acct//dispatcher'

describe('primarySuspect', () => {
  const inflight = [
    { key: dispatcher, startedAt: 5 },
    { key: user('slow-io'), startedAt: 10 },
    { key: user('latest'), startedAt: 30 },
    { key: user('middle'), startedAt: 20 },
  ]

  it('blames the most recently started user Worker for a stuck thread, never the waiting dispatcher', () => {
    assert.deepEqual(primarySuspect(inflight, 'cpu'), [user('latest')])
  })

  it('blames the longest-running user Worker for memory', () => {
    assert.deepEqual(primarySuspect(inflight, 'memory'), [user('slow-io')])
  })

  it("blames an upload's startup check before any script", () => {
    const check = { key: `${STARTUP_CHECK_KEY}acct/ns-1/new`, startedAt: 1 }
    assert.deepEqual(primarySuspect([...inflight, check], 'cpu'), [check.key])
    assert.deepEqual(primarySuspect([...inflight, check], 'memory'), [check.key])
  })

  it('blames an account script only when it ran alone, and nobody when nothing ran', () => {
    assert.deepEqual(primarySuspect([{ key: dispatcher, startedAt: 1 }], 'cpu'), [dispatcher])
    assert.deepEqual(primarySuspect([], 'cpu'), [])
  })
})

describe('Containment', () => {
  it('sends a pool suspect to probation and convicts it only for an incident in the probation process', () => {
    let now = 1_000
    const c = new Containment({ coolDownMs: 60_000 }, () => now)
    c.recordIncident([user('a')], false, 'cpu')
    c.recordIncident([user('a')], false, 'cpu')
    c.recordIncident([user('a')], false, 'cpu')
    assert.deepEqual(c.state(), { probation: [user('a')], banned: [] }, 'pool incidents never convict')
    c.recordIncident([user('a')], true, 'cpu')
    assert.deepEqual(c.state(), { probation: [], banned: [{ key: user('a'), reason: 'cpu' }] })
    now += 60_001
    assert.deepEqual(c.state(), { probation: [], banned: [] }, 'the cool-down ends')
  })

  it('reports what an incident wrote, and restores a saved state with its expiry', () => {
    let now = 1_000
    const c = new Containment({ coolDownMs: 60_000 }, () => now)
    assert.deepEqual(c.recordIncident([], false, 'cpu'), [], 'no suspect, no change')
    assert.deepEqual(c.recordIncident([user('a')], false, 'memory'), [{ key: user('a'), status: 'probation', until: 61_000, strikes: 1, reason: 'memory' }])
    const saved = c.recordIncident([user('a')], true, 'cpu')
    assert.deepEqual(saved, [{ key: user('a'), status: 'banned', until: 61_000, strikes: 2, reason: 'cpu' }])

    const restarted = new Containment({ coolDownMs: 60_000 }, () => now)
    restarted.restore([...saved, { key: user('b'), status: 'probation', until: 30_000, strikes: 1, reason: 'cpu' }])
    assert.deepEqual(restarted.state(), { probation: [user('b')], banned: [{ key: user('a'), reason: 'cpu' }] })
    now = 30_000
    assert.deepEqual(restarted.state(), { probation: [], banned: [{ key: user('a'), reason: 'cpu' }] })
    restarted.restore([])
    assert.deepEqual(restarted.entries(), [])
  })
})

describe('Containment.lift', () => {
  it('ends a ban or a probation at once and hands back an expired entry to write through', () => {
    let now = 1000
    const c = new Containment({ coolDownMs: 60_000 }, () => now)
    c.recordIncident([user('a')], false, 'cpu')
    c.recordIncident([user('b')], false, 'cpu')
    c.recordIncident([user('b')], true, 'cpu')
    now = 2000
    assert.deepEqual(c.lift(user('b')), { key: user('b'), status: 'banned', reason: 'cpu', strikes: 2, until: 2000 })
    assert.deepEqual(c.state(), { probation: [user('a')], banned: [] })
    assert.equal(c.lift(user('a'))?.status, 'probation')
    assert.deepEqual(c.state(), { probation: [], banned: [] })
    assert.equal(c.lift(user('a')), undefined, 'nothing left to lift')
  })
})
