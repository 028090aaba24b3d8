import assert from 'node:assert/strict'
import type { DefineCase } from './suite.js'
import { StorageConflict, type Store } from '../../../src/storage/store.js'
import type { R2ObjectRow, R2Segment } from '../../../src/storage/r2-store.js'
import { createR2Service } from '../../../src/r2/service.js'
import { newAccount } from './fixtures.js'

async function* chunks(...parts: string[]): AsyncIterable<Uint8Array> {
  for (const p of parts) yield Buffer.from(p)
}
async function readAll(body: AsyncIterable<Uint8Array>): Promise<string> {
  const out: Buffer[] = []
  for await (const c of body) out.push(Buffer.from(c))
  return Buffer.concat(out).toString()
}
const row = (key: string, segment: R2Segment, uploaded: number, extra: Partial<R2ObjectRow> = {}): R2ObjectRow => ({
  key,
  version: `v-${key}-${uploaded}`,
  size: segment.size,
  etag: 'e',
  uploaded,
  httpMetadata: {},
  customMetadata: {},
  checksums: {},
  storageClass: 'Standard',
  segments: [segment],
  ...extra,
})

async function newBucket(store: Store, label: string, name = 'bucket') {
  const accountId = await newAccount(store, label)
  return store.r2.createBucket({ accountId, name, location: 'enam', storageClass: 'Standard' })
}

export function r2Cases(test: DefineCase): void {
  test('r2 buckets: create, names unique per account, list, update rules, delete only when empty', async ({ store }) => {
    const b = await newBucket(store, 'a')
    const other = await newAccount(store, 'b')
    await store.r2.createBucket({ accountId: other, name: 'bucket', location: 'weur', storageClass: 'InfrequentAccess' })
    await assert.rejects(store.r2.createBucket({ accountId: b.accountId, name: 'bucket', location: 'enam', storageClass: 'Standard' }), StorageConflict)
    await store.r2.createBucket({ accountId: b.accountId, name: 'alpha', location: 'enam', storageClass: 'Standard' })
    assert.deepEqual((await store.r2.listBuckets(b.accountId)).map((x) => x.name), ['alpha', 'bucket'])
    const updated = await store.r2.updateBucket(b.accountId, 'bucket', { cors: { rules: [{ allowed: { origins: ['*'], methods: ['GET'] } }] } })
    assert.deepEqual(updated?.cors, { rules: [{ allowed: { origins: ['*'], methods: ['GET'] } }] })
    assert.deepEqual((await store.r2.getBucket(b.accountId, 'bucket'))?.cors, updated?.cors)
    assert.equal(await store.r2.updateBucket(b.accountId, 'absent', { cors: null }), undefined)

    const seg = await store.r2.blobs.write(chunks('x'))
    await store.r2.putObject(b.id, row('k', seg, 1))
    assert.equal(await store.r2.deleteBucket(b.accountId, 'bucket'), 'not-empty')
    assert.deepEqual(await store.r2.deleteObjects(b.id, ['k', 'absent']), [seg])
    assert.equal(await store.r2.deleteBucket(b.accountId, 'bucket'), 'deleted')
    assert.equal(await store.r2.deleteBucket(b.accountId, 'bucket'), 'missing')
    assert.equal((await store.r2.getBucket(other, 'bucket'))?.storageClass, 'InfrequentAccess')
  })

  test('r2 blobs: bodies stream in and back by range; deleted blobs are gone', async ({ store }) => {
    const big = 'abcdefghij'.repeat(250_000) // 2.5 MB: several PostgreSQL chunks
    const seg = await store.r2.blobs.write(chunks(big.slice(0, 7), big.slice(7, 2_000_000), big.slice(2_000_000)))
    assert.equal(seg.size, big.length)
    assert.equal(await readAll(store.r2.blobs.read(seg.blob, 0, seg.size)), big)
    assert.equal(await readAll(store.r2.blobs.read(seg.blob, 1_048_570, 1_048_590)), big.slice(1_048_570, 1_048_590))
    assert.equal(await readAll(store.r2.blobs.read(seg.blob, 5, 5)), '')
    await store.r2.blobs.delete([seg.blob])
    await assert.rejects(readAll(store.r2.blobs.read(seg.blob, 0, 1)))
    const failing = (async function* () {
      yield Buffer.from('partial')
      throw new Error('client went away')
    })()
    await assert.rejects(store.r2.blobs.write(failing), /client went away/)
  })

  test('r2 objects: put replaces and answers the old segments, lists in byte order by prefix', async ({ store }) => {
    const b = await newBucket(store, 'a')
    const s1 = await store.r2.blobs.write(chunks('one'))
    const s2 = await store.r2.blobs.write(chunks('two'))
    assert.deepEqual(await store.r2.putObject(b.id, row('k', s1, 1)), { replaced: [] })
    assert.deepEqual(await store.r2.putObject(b.id, row('k', s2, 2, { customMetadata: { a: 'b' } })), { replaced: [s1] })
    const got = await store.r2.getObject(b.id, 'k')
    assert.deepEqual([got?.size, got?.customMetadata, got?.segments], [3, { a: 'b' }, [s2]])
    for (const k of ['p/b', 'p/a', 'p/é', 'p/Z', 'q/a', 'p']) await store.r2.putObject(b.id, row(k, s2, 3))
    const listed = await store.r2.listObjects(b.id, { prefix: 'p/', limit: 10 })
    assert.deepEqual(listed.map((o) => o.key), ['p/Z', 'p/a', 'p/b', 'p/é'])
    assert.deepEqual((await store.r2.listObjects(b.id, { prefix: 'p/', after: 'p/a', limit: 1 })).map((o) => o.key), ['p/b'])
    assert.equal(await store.r2.putObject('no-such-bucket', row('k', s2, 1)), undefined)
    assert.deepEqual(await store.r2.deleteObjectVersion(b.id, 'k', 'not-this-one'), [])
    assert.deepEqual(await store.r2.deleteObjectVersion(b.id, 'k', 'v-k-2'), [s2])
  })

  test('r2 multipart: parts replace by number, complete writes the object and ends the upload, abort answers the parts', async ({ store }) => {
    const b = await newBucket(store, 'a')
    const upload = { id: 'u1', bucketId: b.id, key: 'm', initiated: 1, httpMetadata: { contentType: 'x/y' }, customMetadata: {}, storageClass: 'Standard' }
    await store.r2.createUpload(upload)
    assert.deepEqual(await store.r2.getUpload(b.id, 'u1'), upload)
    const p1 = await store.r2.blobs.write(chunks('1'))
    const p1b = await store.r2.blobs.write(chunks('1b'))
    const p2 = await store.r2.blobs.write(chunks('2'))
    const part = (n: number, segment: R2Segment) => ({ partNumber: n, etag: `e${n}`, size: segment.size, uploaded: 2, segment })
    await store.r2.putPart('u1', part(1, p1))
    assert.deepEqual(await store.r2.putPart('u1', part(1, p1b)), { replaced: [p1] })
    await store.r2.putPart('u1', part(2, p2))
    assert.deepEqual((await store.r2.listParts('u1')).map((p) => p.segment), [p1b, p2])
    assert.deepEqual((await store.r2.listUploads(b.id, { prefix: '', limit: 10 })).map((u) => u.id), ['u1'])
    const done = await store.r2.completeUpload(b.id, 'u1', { ...row('m', p1b, 3), segments: [p1b] })
    assert.deepEqual(done, { replaced: [p2] })
    assert.equal(await store.r2.getUpload(b.id, 'u1'), undefined)
    assert.equal(await store.r2.putPart('u1', part(3, p2)), undefined)

    await store.r2.createUpload({ ...upload, id: 'u2' })
    await store.r2.putPart('u2', part(1, p2))
    assert.deepEqual(await store.r2.abortUpload(b.id, 'u2'), [p2])
    assert.deepEqual(await store.r2.abortUpload(b.id, 'u2'), [])
  })

  test('r2 lifecycle: objects past the age of a rule under its prefix go; others and newer versions stay', async ({ store, clock }) => {
    const b = await newBucket(store, 'a')
    const r2 = createR2Service({ store: store.r2, clock })
    const ref = { accountId: b.accountId, bucket: 'bucket' }
    await r2.put(ref, 'tmp/old', chunks('old'))
    await r2.put(ref, 'keep/old', chunks('kept'))
    await r2.updateBucket(ref, {
      lifecycle: { rules: [{ id: 'tmp', enabled: true, conditions: { prefix: 'tmp/' }, deleteObjectsTransition: { condition: { type: 'Age', maxAge: 86400 } } }] },
    })
    clock.advance(2 * 86400 * 1000)
    await r2.put(ref, 'tmp/new', chunks('new'))
    assert.equal(await r2.sweepLifecycle(), 1)
    assert.deepEqual((await r2.list(ref)).objects.map((o) => o.key), ['keep/old', 'tmp/new'])
  })
}
