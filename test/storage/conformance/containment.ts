import assert from 'node:assert/strict'
import type { DefineCase } from './suite.js'
import type { ContainmentRecord, EventQuery, EventRetention, ScriptRef } from '../../../src/storage/store.js'

const hostile: ScriptRef = { accountId: 'acct-1', namespaceId: 'ns-1', script: 'hostile' }
const other: ScriptRef = { accountId: 'acct-1', namespaceId: 'ns-1', script: 'other' }
const accountScript: ScriptRef = { accountId: 'acct-1', namespaceId: '', script: 'hostile' }
/** A retention nothing in these cases reaches. */
const keepAll: EventRetention = { now: 0, maxAgeMs: Number.MAX_SAFE_INTEGER, maxBytes: Number.MAX_SAFE_INTEGER }

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
      keepAll,
    )
    await store.invocations.record({ counts: [{ ...hostile, outcome: 'ok', count: 4, lastSeen: 1_200 }], events: [] }, keepAll)
    await store.invocations.record({ counts: [], events: [] }, keepAll)
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

  test('invocations: events are kept in order, whatever fields they carry, and queried by time, script and text', async ({ store }) => {
    const event = (n: number, extra: Record<string, unknown> = {}) => ({ outcome: 'ok', eventTimestamp: n, logs: [{ message: [`line ${n}`], level: 'log', timestamp: n }], ...extra })
    await store.invocations.record({ counts: [], events: [1, 2, 3].map((n) => ({ ...hostile, event: event(n) })) }, keepAll)
    await store.invocations.record(
      {
        counts: [],
        events: [
          { ...other, event: event(100) },
          ...[4, 5].map((n) => ({ ...hostile, event: event(n) })),
          { ...hostile, event: event(6, { rayId: 'abc123', outcome: 'exceededWallClock' }) },
          { ...hostile, accountId: 'acct-2', event: event(7) },
        ],
      },
      keepAll,
    )
    const recent = await store.invocations.recent(hostile, 10)
    assert.deepEqual(recent.map((e) => e.eventTimestamp), [1, 2, 3, 4, 5, 6], 'oldest first')
    assert.deepEqual(recent[5], event(6, { rayId: 'abc123', outcome: 'exceededWallClock' }))
    assert.deepEqual((await store.invocations.recent(hostile, 2)).map((e) => e.eventTimestamp), [5, 6])
    assert.deepEqual((await store.invocations.recent(other, 10)).map((e) => e.eventTimestamp), [100])
    assert.deepEqual(await store.invocations.recent(accountScript, 10), [])

    const times = async (q: Partial<EventQuery>) =>
      (await store.invocations.query('acct-1', { from: 0, to: 1_000, limit: 100, ...q })).map((e) => e.timestamp)
    assert.deepEqual(await times({}), [100, 6, 5, 4, 3, 2, 1], 'newest first, this account only')
    assert.deepEqual(await times({ from: 2, to: 5 }), [5, 4, 3, 2], 'both ends inclusive')
    assert.deepEqual(await times({ script: { namespaceId: 'ns-1', script: 'other' } }), [100])
    assert.deepEqual(await times({ script: { namespaceId: '', script: 'hostile' } }), [])
    assert.deepEqual(await times({ needle: 'LINE 4' }), [4], 'text, case-insensitive')
    assert.deepEqual(await times({ needle: 'exceededwallclock' }), [6])
    assert.deepEqual(await times({ limit: 2 }), [100, 6])
    const [found] = await store.invocations.query('acct-1', { from: 6, to: 6, limit: 1 })
    assert.deepEqual({ ...found, seq: 0 }, { seq: 0, ...hostile, timestamp: 6, event: event(6, { rayId: 'abc123', outcome: 'exceededWallClock' }) })
  })

  test('invocations: an account keeps events for its retention age and byte budget, oldest pruned first', async ({ store }) => {
    const event = (n: number) => ({ outcome: 'ok', eventTimestamp: n, logs: [{ message: ['x'.repeat(100)], level: 'log', timestamp: n }] })
    const size = Buffer.byteLength(JSON.stringify(event(1_000)))
    const retention = { now: 1_000, maxAgeMs: 500, maxBytes: 3 * size }
    await store.invocations.record({ counts: [], events: [600, 700].map((n) => ({ ...hostile, event: event(n) })) }, retention)
    await store.invocations.record({ counts: [], events: [{ ...hostile, accountId: 'acct-2', event: event(100) }] }, keepAll)
    const times = async (account = 'acct-1') => (await store.invocations.query(account, { from: 0, to: 10_000, limit: 100 })).map((e) => e.timestamp)
    assert.deepEqual(await times(), [700, 600])
    // Later: 600 is past its age; the budget holds three events, so the oldest remaining goes too.
    await store.invocations.record(
      { counts: [], events: [{ ...other, event: event(1_150) }, ...[1_200, 1_300].map((n) => ({ ...hostile, event: event(n) }))] },
      { ...retention, now: 1_150 },
    )
    assert.deepEqual(await times(), [1_300, 1_200, 1_150], 'by age, then by size across the account’s scripts')
    // An event without a timestamp is stamped with the time it was recorded.
    await store.invocations.record({ counts: [], events: [{ ...hostile, event: { outcome: 'ok' } }] }, { ...retention, now: 1_400 })
    assert.deepEqual((await times())[0], 1_400)
    // One the platform received is stamped with that time, whatever workerd's timestamp says.
    await store.invocations.record({ counts: [], events: [{ ...hostile, event: event(5), at: 1_450 }] }, { ...retention, now: 1_500 })
    assert.deepEqual((await times())[0], 1_450)
    assert.deepEqual(await times('acct-2'), [100], 'another account is pruned on its own writes only')
  })
}
