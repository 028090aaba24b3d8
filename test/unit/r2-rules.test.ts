import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { conditionFromHeaders, conditionHolds, parseEtags } from '../../src/r2/conditions.js'
import { rangeFromHeader, resolveRange } from '../../src/r2/range.js'
import { decodeAwsChunked } from '../../src/r2/s3/aws-chunked.js'

describe('R2 ranges', () => {
  it('resolves offsets, lengths and suffixes, cutting lengths past the end', () => {
    assert.deepEqual(resolveRange({ offset: 2, length: 3 }, 10), { start: 2, end: 5 })
    assert.deepEqual(resolveRange({ offset: 8, length: 100 }, 10), { start: 8, end: 10 })
    assert.deepEqual(resolveRange({ suffix: 4 }, 10), { start: 6, end: 10 })
    assert.deepEqual(resolveRange({ suffix: 40 }, 10), { start: 0, end: 10 })
    assert.deepEqual(resolveRange({ length: 1 }, 10), { start: 0, end: 1 })
  })
  it('refuses what cannot be satisfied with InvalidRange (10039)', () => {
    for (const r of [{ offset: 11 }, { offset: 0, length: 0 }, { suffix: 0 }, { offset: -1 }, { offset: 10 }])
      assert.throws(() => resolveRange(r, 10), (e: { code: number }) => e.code === 10039, JSON.stringify(r))
  })
  it('reads one Range header range; ignores several or a malformed one', () => {
    assert.deepEqual(rangeFromHeader('bytes=2-4', 10), { start: 2, end: 5 })
    assert.deepEqual(rangeFromHeader('bytes=7-', 10), { start: 7, end: 10 })
    assert.deepEqual(rangeFromHeader('bytes=-3', 10), { start: 7, end: 10 })
    assert.equal(rangeFromHeader('bytes=0-1,4-5', 10), undefined)
    assert.equal(rangeFromHeader('pages=1', 10), undefined)
    assert.throws(() => rangeFromHeader('bytes=20-30', 10), (e: { code: number }) => e.code === 10039)
  })
})

describe('R2 conditions', () => {
  const object = { etag: 'abc', uploaded: Date.UTC(2026, 0, 1, 12, 0, 0, 500) }
  it('matches etags strongly for If-Match and weakly for If-None-Match, * for any', () => {
    assert.equal(conditionHolds({ etagMatches: parseEtags('"abc"') }, object), true)
    assert.equal(conditionHolds({ etagMatches: parseEtags('W/"abc"') }, object), false)
    assert.equal(conditionHolds({ etagDoesNotMatch: parseEtags('W/"abc"') }, object), false)
    assert.equal(conditionHolds({ etagMatches: parseEtags('*') }, object), true)
    assert.equal(conditionHolds({ etagMatches: parseEtags(['x', 'abc']) }, object), true)
  })
  it('lets an etag decide over the date it comes with (RFC 7232), with second granularity from headers', () => {
    const before = object.uploaded - 60_000
    assert.equal(conditionHolds({ uploadedBefore: before }, object), false)
    assert.equal(conditionHolds({ etagMatches: parseEtags('abc'), uploadedBefore: before }, object), true)
    const headers = new Headers({ 'if-modified-since': new Date(object.uploaded).toUTCString() })
    assert.equal(conditionHolds(conditionFromHeaders(headers)!, object), false, 'same second is not modified')
    assert.equal(conditionHolds({ etagMatches: parseEtags('abc') }, undefined), false)
    assert.equal(conditionHolds({ etagDoesNotMatch: parseEtags('*') }, undefined), true)
  })
})

describe('aws-chunked bodies', () => {
  const collect = async (parts: string[]) => {
    const out: Buffer[] = []
    for await (const c of decodeAwsChunked((async function* () { for (const p of parts) yield Buffer.from(p) })())) out.push(Buffer.from(c))
    return Buffer.concat(out).toString()
  }
  it('yields only the data, however the frames are split across reads', async () => {
    const framed = '5;chunk-signature=aa\r\nhello\r\n6\r\n world\r\n0\r\nx-amz-checksum-crc32:AAAA\r\n\r\n'
    assert.equal(await collect([framed]), 'hello world')
    assert.equal(await collect(framed.split('')), 'hello world')
  })
  it('throws on a body cut short', async () => {
    await assert.rejects(collect(['5\r\nhel']), /ended inside a chunk/)
  })
})
