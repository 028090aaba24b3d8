import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { settlementOf } from '../../src/runtime/queue-consumers.js'
import type { QueueRunResult } from '../../src/shared/protocol.js'
import type { LeasedMessage } from '../../src/storage/queue-store.js'

const msg = (id: string): LeasedMessage => ({ id, leaseId: `l.${id}`, body: new Uint8Array(), contentType: 'text', attempts: 1, timestampMs: 0 })
const batch = ['a', 'b', 'c'].map(msg)
const result = (r: Partial<QueueRunResult>): QueueRunResult => ({ outcome: 'ok', ackAll: false, retryAll: false, explicitAcks: [], retries: [], ...r })

describe('settling a delivered batch by Cloudflare’s rules', () => {
  it('a handler that returns acks the batch; one that throws retries it with the consumer’s retry_delay', () => {
    assert.deepEqual(settlementOf(batch, result({}), 5), { acks: ['l.a', 'l.b', 'l.c'], retries: [] })
    assert.deepEqual(settlementOf(batch, result({ outcome: 'exception' }), 5).retries, batch.map((m) => ({ leaseId: m.leaseId, delaySeconds: 5 })))
  })

  it('a message’s own ack() or retry() wins over the outcome and over ackAll()/retryAll()', () => {
    const thrown = settlementOf(batch, result({ outcome: 'exception', explicitAcks: ['a'], retries: [{ id: 'b', delaySeconds: 9 }] }), 0)
    assert.deepEqual(thrown, { acks: ['l.a'], retries: [{ leaseId: 'l.b', delaySeconds: 9 }, { leaseId: 'l.c', delaySeconds: 0 }] })
    const all = settlementOf(batch, result({ retryAll: true, retryAllDelaySeconds: 7, explicitAcks: ['c'] }), 0)
    assert.deepEqual(all, { acks: ['l.c'], retries: [{ leaseId: 'l.a', delaySeconds: 7 }, { leaseId: 'l.b', delaySeconds: 7 }] })
    assert.deepEqual(settlementOf(batch, result({ outcome: 'exception', ackAll: true, retries: [{ id: 'a' }] }), 3), {
      acks: ['l.b', 'l.c'],
      retries: [{ leaseId: 'l.a', delaySeconds: 3 }],
    })
  })
})
