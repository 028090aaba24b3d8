import assert from 'node:assert/strict'
import type { DefineCase } from './suite.js'
import type { ContainmentRecord, ScriptRef } from '../../../src/storage/store.js'

const hostile: ScriptRef = { accountId: 'acct-1', namespaceId: 'ns-1', script: 'hostile' }
const other: ScriptRef = { accountId: 'acct-1', namespaceId: 'ns-1', script: 'other' }
const accountScript: ScriptRef = { accountId: 'acct-1', namespaceId: '', script: 'hostile' }

export function containmentCases(test: DefineCase): void {
  test('containment: records apply until they expire, and a new one replaces its script’s', async ({ store, clock }) => {
    const now = clock.now()
    const probation: ContainmentRecord = { ...hostile, status: 'probation', reason: 'cpu', strikes: 1, until: now + 60_000 }
    await store.containment.put([
      probation,
      { ...other, status: 'probation', reason: 'memory', strikes: 1, until: now + 10_000 },
      { ...accountScript, status: 'banned', reason: 'cpu', strikes: 2, until: now + 120_000 },
    ])
    assert.equal((await store.containment.active()).length, 3)
    const banned: ContainmentRecord = { ...hostile, status: 'banned', reason: 'memory', strikes: 2, until: now + 90_000 }
    await store.containment.put([banned])
    const active = await store.containment.active()
    assert.deepEqual(active.find((r) => r.script === 'hostile' && r.namespaceId === 'ns-1'), banned)
    assert.equal(active.find((r) => r.namespaceId === '')?.status, 'banned', 'account and namespace scripts are told apart')

    clock.advance(10_000)
    assert.deepEqual((await store.containment.active()).map((r) => r.script).sort(), ['hostile', 'hostile'], 'expired at its until')
    clock.advance(200_000)
    assert.deepEqual(await store.containment.active(), [])
    await store.containment.put([])
    assert.deepEqual(await store.containment.active(), [])
  })

  test('invocations: counters add up per script and outcome, with the latest time seen', async ({ store }) => {
    await store.invocations.record(
      {
        counts: [
          { ...hostile, outcome: 'ok', count: 3, lastSeen: 1_000 },
          { ...hostile, outcome: 'ok', count: 2, lastSeen: 1_500 },
          { ...hostile, outcome: 'exception', count: 1, lastSeen: 900 },
          { accountId: 'acct-2', namespaceId: '', script: 'elsewhere', outcome: 'ok', count: 7, lastSeen: 1_000 },
        ],
        events: [],
      },
      10,
    )
    await store.invocations.record({ counts: [{ ...hostile, outcome: 'ok', count: 4, lastSeen: 1_200 }], events: [] }, 10)
    await store.invocations.record({ counts: [], events: [] }, 10)
    const counts = await store.invocations.counts('acct-1')
    assert.deepEqual(
      counts.map((c) => [c.script, c.outcome, c.count, c.lastSeen]).sort(),
      [
        ['hostile', 'exception', 1, 900],
        ['hostile', 'ok', 9, 1_500],
      ],
    )
    assert.deepEqual(await store.invocations.counts('acct-3'), [])
    // Summed over scripts per namespace and outcome; a namespace the store does not know has no name.
    const totals = await store.invocations.namespaceTotals()
    assert.deepEqual(
      totals.map((t) => [t.accountId, t.namespaceId, t.namespaceName, t.outcome, t.count]),
      [
        ['acct-1', 'ns-1', null, 'exception', 1],
        ['acct-1', 'ns-1', null, 'ok', 9],
        ['acct-2', '', null, 'ok', 7],
      ],
    )
  })

  test('invocations: each script keeps its newest events in order, whatever fields they carry', async ({ store }) => {
    const event = (n: number, extra: Record<string, unknown> = {}) => ({ outcome: 'ok', eventTimestamp: n, logs: [{ message: [`line ${n}`], level: 'log', timestamp: n }], ...extra })
    await store.invocations.record({ counts: [], events: [1, 2, 3].map((n) => ({ ...hostile, event: event(n) })) }, 4)
    await store.invocations.record(
      {
        counts: [],
        events: [
          { ...other, event: event(100) },
          ...[4, 5].map((n) => ({ ...hostile, event: event(n) })),
          { ...hostile, event: event(6, { rayId: 'abc123', outcome: 'exceededWallClock' }) },
        ],
      },
      4,
    )
    const recent = await store.invocations.recent(hostile, 10)
    assert.deepEqual(recent.map((e) => e.eventTimestamp), [3, 4, 5, 6], 'the oldest are pruned, the rest oldest first')
    assert.deepEqual(recent[3], event(6, { rayId: 'abc123', outcome: 'exceededWallClock' }))
    assert.deepEqual((await store.invocations.recent(hostile, 2)).map((e) => e.eventTimestamp), [5, 6])
    assert.deepEqual((await store.invocations.recent(other, 10)).map((e) => e.eventTimestamp), [100])
    assert.deepEqual(await store.invocations.recent(accountScript, 10), [])
  })
}
