import assert from 'node:assert/strict'
import { StorageConflict } from '../../../src/storage/store.js'
import type { QueueConsumerSettings, QueueSettings } from '../../../src/storage/queue-store.js'
import type { DefineCase } from './suite.js'
import { esmVersion, newAccount, newNamespaceScope, utf8 } from './fixtures.js'

const SETTINGS: QueueSettings = { deliveryDelay: 0, messageRetentionPeriod: 3600, deliveryPaused: false }
const CONSUMER: QueueConsumerSettings = { batchSize: 10, maxRetries: 1, maxWaitTimeMs: 0, maxConcurrency: null, retryDelay: 0, visibilityTimeoutMs: 30_000 }
const HOUR = 3_600_000
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes)

export function queueCases(test: DefineCase): void {
  test('queues: names are unique per account, consumers one per queue, and delete cascades', async ({ store, clock }) => {
    const a = await newAccount(store, 'qa')
    const b = await newAccount(store, 'qb')
    const q = await store.queues.create(a, 'orders', SETTINGS, clock.now())
    await assert.rejects(store.queues.create(a, 'orders', SETTINGS, clock.now()), StorageConflict)
    await store.queues.create(b, 'orders', SETTINGS, clock.now())
    assert.deepEqual((await store.queues.list(a)).map((x) => x.name), ['orders'])
    assert.equal(await store.queues.get(b, q.id), undefined, 'another account never sees it')

    const c = await store.queues.addConsumer(q.id, { type: 'worker', scriptName: 'eater', dispatchNamespace: null, deadLetterQueue: 'dlq', settings: CONSUMER }, clock.now())
    await assert.rejects(store.queues.addConsumer(q.id, { type: 'http_pull', scriptName: null, dispatchNamespace: null, deadLetterQueue: null, settings: CONSUMER }, clock.now()), StorageConflict)
    assert.deepEqual((await store.queues.byName(a, 'orders'))?.consumers, [c])
    const moved = await store.queues.updateConsumer(q.id, c.id, { ...c, settings: { ...CONSUMER, batchSize: 3 } })
    assert.equal(moved?.settings.batchSize, 3)
    assert.equal((await store.queues.workerConsumers()).length, 1)

    const renamed = await store.queues.update(a, q.id, { name: 'orders-2', settings: { ...SETTINGS, deliveryDelay: 5 } }, clock.now())
    assert.equal(renamed?.settings.deliveryDelay, 5)
    await store.queues.send(q.id, [{ body: utf8('x'), contentType: 'text', delaySeconds: 0 }], clock.now(), HOUR)
    assert.equal(await store.queues.delete(a, q.id), true)
    assert.deepEqual(await store.queues.ready(clock.now()), [], 'its messages went with it')
    assert.deepEqual(await store.queues.workerConsumers(), [])
  })

  test('queues: producers are the scripts whose current version binds a queue', async ({ store }) => {
    const scope = await newNamespaceScope(store, 'qp')
    const account = { accountId: scope.accountId, namespaceId: null }
    const queue = (name: string, queueName: string) => ({ type: 'queue', name, queue_name: queueName })
    await store.scripts.publish({ scope, name: 'tenant', version: esmVersion('export default {}', { bindings: [queue('A', 'orders'), queue('B', 'audit')] }) })
    await store.scripts.publish({ scope: account, name: 'front', version: esmVersion('export default {}', { bindings: [queue('Q', 'orders')] }) })
    await store.scripts.publish({ scope: account, name: 'plain', version: esmVersion('export default {}', { bindings: [{ type: 'plain_text', name: 'queue', text: '"queue"' }] }) })
    assert.deepEqual(await store.queues.producers(scope.accountId), [
      { queueName: 'orders', script: 'front', dispatchNamespace: null },
      { queueName: 'orders', script: 'tenant', dispatchNamespace: 'production' },
      { queueName: 'audit', script: 'tenant', dispatchNamespace: 'production' },
    ])
    // A new current version without the binding is no longer a producer.
    await store.scripts.publish({ scope: account, name: 'front', version: esmVersion('export default {}') })
    assert.deepEqual((await store.queues.producers(scope.accountId)).map((p) => p.script), ['tenant', 'tenant'])
    assert.deepEqual(await store.queues.producers(await newAccount(store, 'qp2')), [])
  })

  test('queues: a lease hides messages until settled; retries come back later; dead messages go to the DLQ', async ({ store, clock }) => {
    const a = await newAccount(store, 'ql')
    const q = await store.queues.create(a, 'work', SETTINGS, clock.now())
    const dlq = await store.queues.create(a, 'work-dlq', SETTINGS, clock.now())
    await store.queues.send(q.id, ['one', 'two', 'three'].map((s) => ({ body: utf8(s), contentType: 'text' as const, delaySeconds: 0 })), clock.now(), HOUR)
    await store.queues.send(q.id, [{ body: utf8('later'), contentType: 'text', delaySeconds: 60 }], clock.now(), HOUR)
    const lease = { now: clock.now(), max: 10, visibilityMs: 30_000, maxDeliveries: 2, deadLetter: { queueId: dlq.id, retentionMs: HOUR } }

    const first = await store.queues.lease(q.id, lease)
    assert.deepEqual(first.map((m) => text(m.body)), ['one', 'two', 'three'], 'in order, without the delayed one')
    assert.deepEqual(first.map((m) => m.attempts), [1, 1, 1])
    assert.deepEqual(await store.queues.lease(q.id, lease), [], 'leased messages are invisible')

    const [one, two, three] = first as [typeof first[0], typeof first[0], typeof first[0]]
    assert.deepEqual(await store.queues.settle(q.id, { acks: [one.leaseId], retries: [{ leaseId: two.leaseId, delaySeconds: 10 }] }, clock.now()), { acked: 1, retried: 1 })
    assert.deepEqual(await store.queues.settle(q.id, { acks: [one.leaseId], retries: [] }, clock.now()), { acked: 0, retried: 0 }, 'a settled lease is spent')

    clock.advance(30_001) // three's lease ran out; two's retry delay passed
    const second = await store.queues.lease(q.id, { ...lease, now: clock.now() })
    assert.deepEqual(second.map((m) => [text(m.body), m.attempts]), [['two', 2], ['three', 2]])
    assert.equal(await store.queues.settle(q.id, { acks: [three.leaseId], retries: [] }, clock.now()).then((r) => r.acked), 0, 'an expired lease cannot ack')

    clock.advance(60_000) // both failed their second delivery (lease expiry): dead now
    const third = await store.queues.lease(q.id, { ...lease, now: clock.now() })
    assert.deepEqual(third.map((m) => text(m.body)), ['later'])
    const dead = await store.queues.lease(dlq.id, { ...lease, now: clock.now(), deadLetter: null })
    assert.deepEqual(dead.map((m) => [text(m.body), m.attempts]).sort(), [['three', 1], ['two', 1]])
    assert.equal(await store.queues.backlog(q.id, clock.now()), 1)
  })

  test('queues: concurrent leases never hand out one message twice; expiry and purge drop messages', async ({ store, clock }) => {
    const a = await newAccount(store, 'qc')
    const q = await store.queues.create(a, 'many', SETTINGS, clock.now())
    await store.queues.send(q.id, Array.from({ length: 100 }, (_, i) => ({ body: utf8(String(i)), contentType: 'text' as const, delaySeconds: 0 })), clock.now(), HOUR)
    const lease = { now: clock.now(), max: 7, visibilityMs: 30_000, maxDeliveries: 5, deadLetter: null }
    const batches = await Promise.all(Array.from({ length: 20 }, () => store.queues.lease(q.id, lease)))
    const ids = batches.flat().map((m) => m.id)
    assert.equal(ids.length, 100)
    assert.equal(new Set(ids).size, 100, 'no message in two batches')
    assert.deepEqual(await store.queues.ready(clock.now()), [])

    await store.queues.send(q.id, [{ body: utf8('old'), contentType: 'text', delaySeconds: 0 }], clock.now(), 1000)
    assert.equal((await store.queues.ready(clock.now()))[0]?.ready, 1)
    clock.advance(1000)
    assert.deepEqual(await store.queues.ready(clock.now()), [], 'past its retention it is never delivered')
    assert.equal(await store.queues.deleteExpired(clock.now()), 1)
    assert.equal(await store.queues.purge(q.id), 100)
    assert.equal(await store.queues.backlog(q.id, clock.now()), 0)
  })
}
