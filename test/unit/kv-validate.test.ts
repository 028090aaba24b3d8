import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ApiError } from '../../src/domain/errors.js'
import { decodeKeyCursor, encodeKeyCursor } from '../../src/kv/cursor.js'
import { KV_LIMITS } from '../../src/kv/limits.js'
import { readValueBody } from '../../src/kv/read-body.js'
import { resolveExpiration, serializeMetadata, validateKey } from '../../src/kv/validate.js'
import { prefixUpperBound } from '../../src/storage/shared/kv.js'

const NOW = 1_700_000_000_000
const NOW_S = NOW / 1000

/** Asserts `fn` throws Cloudflare's error: status, code and message. */
function assertKvError(fn: () => unknown, status: number, code: number, message: string | RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ApiError, `expected an ApiError, got ${String(e)}`)
    assert.equal(e.status, status)
    assert.equal(e.code, code)
    if (typeof message === 'string') assert.equal(e.message, message)
    else assert.match(e.message, message)
    return true
  })
}

describe('KV key validation', () => {
  it('refuses empty, dot and dot-dot keys with 400 10042', () => {
    assertKvError(() => validateKey(''), 400, 10042, 'Key names must not be empty')
    assertKvError(() => validateKey('.'), 400, 10042, 'Illegal key name ".". Please use a different name.')
    assertKvError(() => validateKey('..'), 400, 10042, 'Illegal key name "..". Please use a different name.')
  })

  it('measures keys in UTF-8 bytes and refuses more than 512 with 414 10030', () => {
    validateKey('a'.repeat(512))
    validateKey('é'.repeat(256))
    assertKvError(() => validateKey('a'.repeat(513)), 414, 10030, 'UTF-8 encoded length of 513 exceeds key length limit of 512.')
    assertKvError(() => validateKey('é'.repeat(257)), 414, 10030, /length of 514 /)
    validateKey('...')
    validateKey('./x')
  })
})

describe('KV expiration', () => {
  it('turns a TTL into an absolute time, and the TTL wins over expiration', () => {
    assert.equal(resolveExpiration({ expirationTtl: 60 }, NOW), NOW_S + 60)
    assert.equal(resolveExpiration({ expirationTtl: '3600', expiration: 'junk' }, NOW), NOW_S + 3600)
    assert.equal(resolveExpiration({ expiration: NOW_S + 60 }, NOW), NOW_S + 60)
    assert.equal(resolveExpiration({}, NOW), undefined)
    assert.equal(resolveExpiration({ expiration: null, expirationTtl: '' }, NOW), undefined)
  })

  it('refuses TTLs under 60 s with 400 10034 and Cloudflare\'s messages', () => {
    assertKvError(() => resolveExpiration({ expirationTtl: 10 }, NOW), 400, 10034,
      'Invalid expiration_ttl of 10. Expiration TTL must be at least 60.')
    assertKvError(() => resolveExpiration({ expirationTtl: '59' }, NOW), 400, 10034, /must be at least 60/)
    assertKvError(() => resolveExpiration({ expirationTtl: 'soon' }, NOW), 400, 10034,
      'Invalid expiration_ttl of soon. Please specify integer greater than 0.')
    assertKvError(() => resolveExpiration({ expirationTtl: 0 }, NOW), 400, 10034, /greater than 0/)
  })

  it('refuses expirations in the past or less than 60 s ahead with 400 10033', () => {
    assertKvError(() => resolveExpiration({ expiration: NOW_S }, NOW), 400, 10033,
      `Invalid expiration of ${NOW_S}. Please specify integer greater than the current number of seconds since the UNIX epoch.`)
    assertKvError(() => resolveExpiration({ expiration: NOW_S + 59 }, NOW), 400, 10033,
      `Invalid expiration of ${NOW_S + 59}. Expiration times must be at least 60 seconds in the future.`)
    assertKvError(() => resolveExpiration({ expiration: 'tomorrow' }, NOW), 400, 10033, /Invalid expiration of tomorrow/)
  })
})

describe('KV metadata', () => {
  it('serializes metadata and treats null as none', () => {
    assert.equal(serializeMetadata({ a: 1 }), '{"a":1}')
    assert.equal(serializeMetadata('s'), '"s"')
    assert.equal(serializeMetadata(null), undefined)
    assert.equal(serializeMetadata(undefined), undefined)
  })

  it('refuses more than 1024 serialized bytes with 413 10047', () => {
    const fits = { v: 'x'.repeat(1024 - '{"v":""}'.length) }
    assert.equal(Buffer.byteLength(serializeMetadata(fits)!), 1024)
    assertKvError(() => serializeMetadata({ v: 'x'.repeat(1017) }), 413, 10047,
      'Metadata length of 1025 exceeds limit of 1024.')
  })
})

describe('KV list cursors', () => {
  it('round-trip any key and refuse cursors we did not make', () => {
    for (const key of ['a', 'é/ü', '\u{1F600}', 'x'.repeat(512)]) assert.equal(decodeKeyCursor(encodeKeyCursor(key)), key)
    assertKvError(() => decodeKeyCursor('not a cursor!'), 400, 10041, 'invalid "list keys" cursor')
    assertKvError(() => decodeKeyCursor('_w'), 400, 10041, /cursor/)
  })
})

describe('prefix ranges', () => {
  it('bound a prefix by its byte successor', () => {
    assert.deepEqual(prefixUpperBound(Buffer.from('ab')), Buffer.from('ac'))
    assert.deepEqual(prefixUpperBound(Buffer.from([0x61, 0xff, 0xff])), Buffer.from([0x62]))
    assert.equal(prefixUpperBound(Buffer.from([0xff])), null)
    assert.equal(prefixUpperBound(Buffer.alloc(0)), null)
  })
})

describe('reading a value body', () => {
  const streamOf = (...chunks: Uint8Array[]) =>
    new ReadableStream<Uint8Array>({
      start(controller) {
        for (const c of chunks) controller.enqueue(c)
        controller.close()
      },
    })

  it('reads bodies with and without a declared length', async () => {
    const a = new Uint8Array([1, 2, 3])
    const b = new Uint8Array([4, 5])
    assert.deepEqual([...(await readValueBody(streamOf(a, b), 5))], [1, 2, 3, 4, 5])
    assert.deepEqual([...(await readValueBody(streamOf(a, b), undefined))], [1, 2, 3, 4, 5])
    assert.deepEqual([...(await readValueBody(streamOf(a, b), 2))], [1, 2, 3, 4, 5], 'a wrong declared length is survived')
    assert.equal((await readValueBody(null, undefined)).byteLength, 0)
  })

  it('refuses more than 25 MiB with 413 and the real length', async () => {
    const limit = KV_LIMITS.maxValueBytes
    await assert.rejects(readValueBody(streamOf(new Uint8Array(1)), limit + 1), (e: unknown) => {
      assert.ok(e instanceof ApiError)
      assert.equal(e.status, 413)
      assert.equal(e.message, `Value length of ${limit + 1} exceeds limit of ${limit}.`)
      return true
    })
    const big = new Uint8Array(1024 * 1024)
    const chunks = Array.from({ length: 26 }, () => big)
    await assert.rejects(readValueBody(streamOf(...chunks), undefined), { message: `Value length of ${26 * 1024 * 1024} exceeds limit of ${limit}.` })
  })
})
