import assert from 'node:assert/strict'
import type { DefineCase } from './suite.js'
import { newAccount, newNamespaceScope } from './fixtures.js'
import { emptyCounters, type UsageRecord } from '../../../src/shared/usage.js'

const MINUTE = 60_000

const record = (r: Partial<UsageRecord> & Pick<UsageRecord, 'accountId' | 'namespaceId' | 'script' | 'minute'>): UsageRecord => ({
  status: 'ok',
  ...emptyCounters(),
  cpuHistogram: {},
  wallHistogram: {},
  ...r,
})

export function usageCases(test: DefineCase): void {
  test('usage: batches add up per script, minute and status, histograms bucket by bucket', async ({ store, clock }) => {
    const scope = await newNamespaceScope(store, 'usage')
    const minute = clock.now() - (clock.now() % MINUTE)
    const ref = { accountId: scope.accountId, namespaceId: scope.namespaceId!, script: 'billed' }
    // Two nodes' batches for the same minute (and one batch carrying a pair twice) sum.
    await store.usage.add(
      [
        record({ ...ref, minute, requests: 2, cpuTimeUs: 1000, wallTimeUs: 5000, kvReads: 1, bytesIn: 10, cpuHistogram: { 40: 2 }, wallHistogram: { 49: 2 } }),
        record({ ...ref, minute, requests: 1, cpuTimeUs: 500, cpuHistogram: { 40: 1, 41: 1 } }),
      ],
      0,
    )
    await store.usage.add([record({ ...ref, minute, requests: 3, subrequests: 4, bytesOut: 7, cpuHistogram: { 41: 2 } }), record({ ...ref, minute, status: 'exception', requests: 1 })], 0)
    await store.usage.add([record({ ...ref, minute: minute + MINUTE, requests: 5 })], 0)

    const rows = await store.usage.query(scope.accountId, { from: minute, to: minute }, 100)
    assert.equal(rows.length, 2, 'one row per status in the minute asked for')
    const ok = rows.find((r) => r.status === 'ok')!
    assert.deepEqual(
      { requests: ok.requests, cpu: ok.cpuTimeUs, wall: ok.wallTimeUs, sub: ok.subrequests, kv: ok.kvReads, in: ok.bytesIn, out: ok.bytesOut },
      { requests: 6, cpu: 1500, wall: 5000, sub: 4, kv: 1, in: 10, out: 7 },
    )
    assert.deepEqual(ok.cpuHistogram, { 40: 3, 41: 3 })
    assert.deepEqual(ok.wallHistogram, { 49: 2 })
    assert.equal(ok.namespaceName, 'production', "the namespace's current name comes with the record")
    assert.equal(rows.find((r) => r.status === 'exception')?.requests, 1)

    assert.equal((await store.usage.query(scope.accountId, { from: minute, to: minute + MINUTE }, 100)).length, 3)
    assert.equal((await store.usage.query(scope.accountId, { from: minute, to: minute + MINUTE }, 2)).length, 2, 'the limit holds')
    const other = await newAccount(store, 'usage-other')
    assert.deepEqual(await store.usage.query(other, { from: 0, to: minute + MINUTE }, 100), [], 'an account sees only its own usage')
  })

  test('usage: D1, R2, Durable Object and queue counters add up like the others', async ({ store, clock }) => {
    const accountId = await newAccount(store, 'usage-storage')
    const minute = clock.now() - (clock.now() % MINUTE)
    const ref = { accountId, namespaceId: '', script: 'stores' }
    const storage = { d1Queries: 3, d1RowsRead: 40, d1RowsWritten: 2, r2ClassA: 5, r2ClassB: 7, doRequests: 2, doWallTimeUs: 1500, doRowsRead: 9, doRowsWritten: 6, queueWrites: 4, queueReads: 4, queueDeletes: 3 }
    // Two nodes' batches for the same script and minute.
    await store.usage.add([record({ ...ref, minute, ...storage })], 0)
    await store.usage.add([record({ ...ref, minute, ...storage, requests: 1 })], 0)
    const [row] = await store.usage.query(accountId, { from: minute, to: minute }, 10)
    const doubled = Object.fromEntries(Object.entries(storage).map(([k, v]) => [k, 2 * v]))
    assert.deepEqual(Object.fromEntries(Object.keys(storage).map((k) => [k, row![k as keyof typeof storage]])), doubled)
    assert.equal(row!.requests, 1)
  })

  test('usage: operations per resource add up across batches, per product, and are pruned with the retention', async ({ store, clock }) => {
    const accountId = await newAccount(store, 'usage-operations')
    const minute = clock.now() - (clock.now() % MINUTE)
    const op = { accountId, minute, product: 'd1' as const, resource: 'db-1', action: 'read', operations: 2, rowsRead: 10, rowsWritten: 0, bytes: 0 }
    // Two nodes' batches (one carrying the same row twice), an R2 operation and an old minute.
    await store.usage.addOperations([op, op, { ...op, product: 'r2', resource: 'files', action: 'GetObject', operations: 1, rowsRead: 0 }], 0)
    await store.usage.addOperations([{ ...op, action: 'write', rowsWritten: 3 }, op, { ...op, minute: minute - 10 * MINUTE }], minute - 5 * MINUTE)
    const d1 = await store.usage.queryOperations(accountId, 'd1', { from: 0, to: minute }, 100)
    assert.deepEqual(
      d1.map((r) => [r.minute, r.resource, r.action, r.operations, r.rowsRead, r.rowsWritten]),
      [
        [minute, 'db-1', 'read', 6, 30, 0],
        [minute, 'db-1', 'write', 2, 10, 3],
      ],
      'summed per action; the old minute was pruned',
    )
    assert.deepEqual((await store.usage.queryOperations(accountId, 'r2', { from: 0, to: minute }, 100)).map((r) => [r.resource, r.action, r.operations]), [['files', 'GetObject', 1]])
    assert.equal((await store.usage.queryOperations(accountId, 'd1', { from: 0, to: minute }, 1)).length, 1, 'the limit holds')
    const other = await newAccount(store, 'usage-operations-other')
    assert.deepEqual(await store.usage.queryOperations(other, 'd1', { from: 0, to: minute }, 100), [])
  })

  test('usage: records of minutes before the retention are pruned on the next write', async ({ store, clock }) => {
    const accountId = await newAccount(store, 'usage-prune')
    const minute = clock.now() - (clock.now() % MINUTE)
    const ref = { accountId, namespaceId: '', script: 'own' }
    await store.usage.add([record({ ...ref, minute: minute - 10 * MINUTE, requests: 1, cpuHistogram: { 3: 1 } }), record({ ...ref, minute, requests: 2 })], 0)
    await store.usage.add([], minute - MINUTE)
    const rows = await store.usage.query(accountId, { from: 0, to: minute }, 100)
    assert.deepEqual(rows.map((r) => [r.minute, r.requests, r.namespaceName]), [[minute, 2, null]])
  })
  test('usage: storage samples replace within a minute, are pruned, and the inventory counts buckets and databases', async ({ store, clock }) => {
    const accountId = await newAccount(store, 'usage-storage')
    const minute = clock.now() - (clock.now() % MINUTE)
    const sample = { accountId, minute, product: 'r2' as const, resource: 'files', bytes: 10, metadataBytes: 3, objects: 1 }
    await store.usage.putStorageSamples([sample, { ...sample, minute: minute - 10 * MINUTE }], 0)
    // A later sample of the same minute (another node, a later tick) replaces the first; the old minute goes.
    await store.usage.putStorageSamples([{ ...sample, bytes: 25, objects: 2 }, { ...sample, product: 'd1', resource: 'db-1', bytes: 4096, metadataBytes: 0, objects: 0 }], minute - 5 * MINUTE)
    const r2 = await store.usage.queryStorage(accountId, 'r2', { from: 0, to: minute }, 100)
    assert.deepEqual(r2.map((r) => [r.minute, r.resource, r.bytes, r.metadataBytes, r.objects]), [[minute, 'files', 25, 3, 2]])
    assert.deepEqual((await store.usage.queryStorage(accountId, 'd1', { from: 0, to: minute }, 100)).map((r) => [r.resource, r.bytes]), [['db-1', 4096]])

    const bucket = await store.r2.createBucket({ accountId: accountId as never, name: 'sampled', location: 'enam', storageClass: 'Standard' })
    await store.r2.createBucket({ accountId: accountId as never, name: 'empty', location: 'enam', storageClass: 'Standard' })
    const object = { version: 'v', etag: 'e', uploaded: 1, httpMetadata: {}, customMetadata: { a: 'b' }, checksums: {}, storageClass: 'Standard' }
    await store.r2.putObject(bucket.id, { ...object, key: 'one', size: 5, segments: [{ blob: 'b1', size: 5 }] })
    await store.r2.putObject(bucket.id, { ...object, key: 'two', size: 7, segments: [{ blob: 'b2', size: 7 }] })
    const db = await store.d1.createDatabase(accountId as never, 'sampled')
    const inventory = await store.usage.storageInventory()
    const mine = inventory.r2Buckets.filter((b) => b.accountId === accountId)
    assert.deepEqual(mine.map((b) => [b.name, b.objects, b.bytes]), [['empty', 0, 0], ['sampled', 2, 12]])
    assert.ok(mine[1]!.metadataBytes >= 'one'.length + 'two'.length, 'keys and metadata count as metadata')
    assert.deepEqual(inventory.d1Databases.filter((d) => d.accountId === accountId).map((d) => d.id), [db.id])
    assert.ok(inventory.objectNamespaces.every((n) => typeof n.accountId === 'string' && typeof n.id === 'string'))
  })
}
