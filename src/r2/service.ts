import { createHash } from 'node:crypto'
import {
  r2BadDigest,
  r2BadUpload,
  r2BucketExists,
  r2BucketNotEmpty,
  r2BucketNotFound,
  r2EntityTooLarge,
  r2EntityTooSmall,
  r2InvalidArgument,
  r2InvalidBucketName,
  r2InvalidMaxKeys,
  r2InvalidObjectName,
  r2InvalidPart,
  r2MetadataTooLarge,
  r2NoSuchUpload,
} from '../domain/errors.js'
import type { AccountId } from '../domain/ids.js'
import { StorageConflict } from '../storage/store.js'
import type { R2Bucket, R2ObjectRow, R2Segment, R2Store, R2Upload } from '../storage/r2-store.js'
import type { Clock } from '../util/clock.js'
import { hexId } from '../util/ids.js'
import { conditionHolds, type R2Conditional } from './conditions.js'
import { hashingBody, R2_HASH_ALGORITHMS, type R2HashName } from './hashing.js'
import { isValidBucketName, R2_LIMITS, R2_LOCATIONS, R2_STORAGE_CLASSES } from './limits.js'
import { rangeFromHeader, resolveRange, type R2Range } from './range.js'
import type { LifecycleRules } from './rules.js'

/** The bucket an operation acts on: a name, looked up in the caller's account only. */
export interface R2Ref {
  accountId: AccountId
  bucket: string
}

export interface R2PutOptions {
  httpMetadata?: Record<string, string>
  customMetadata?: Record<string, string>
  /** At most one checksum to verify, hex. */
  checksum?: { name: R2HashName; hex: string }
  onlyIf?: R2Conditional
  storageClass?: string
  /** The body's length when the caller knows it (Content-Length): refused early when too large. */
  declaredLength?: number
}

export interface R2GetOptions {
  onlyIf?: R2Conditional
  range?: R2Range
  /** A `Range` header (the S3 endpoint, `range: request.headers`). */
  rangeHeader?: string | null
}

export type R2GetResult =
  | { object: R2ObjectRow; body: AsyncIterable<Uint8Array>; range: { offset: number; length: number } | undefined }
  | { object: R2ObjectRow; body: undefined; range: undefined }

export interface R2ListOptions {
  prefix?: string
  delimiter?: string
  cursor?: string
  startAfter?: string
  limit?: number
}

export interface R2ListResult {
  objects: R2ObjectRow[]
  delimitedPrefixes: string[]
  truncated: boolean
  cursor?: string
}

const utf8Length = (s: string): number => Buffer.byteLength(s, 'utf8')

function checkKey(key: string): void {
  if (key === '' || utf8Length(key) > R2_LIMITS.maxKeyBytes) throw r2InvalidObjectName()
}

function checkCustomMetadata(meta: Record<string, string> | undefined): void {
  if (!meta) return
  let bytes = 0
  for (const [k, v] of Object.entries(meta)) bytes += utf8Length(k) + utf8Length(v)
  if (bytes > R2_LIMITS.maxMetadataBytes) throw r2MetadataTooLarge()
}

function storageClassOf(given: string | undefined, bucket: R2Bucket): string {
  if (given === undefined || given === '') return bucket.storageClass
  if (!(R2_STORAGE_CLASSES as readonly string[]).includes(given)) throw r2InvalidArgument(`Invalid storage class: ${given}`)
  return given
}

const encodeCursor = (after: string): string => Buffer.from(after, 'utf8').toString('base64url')
function decodeCursor(cursor: string): string {
  if (!/^[A-Za-z0-9_-]*$/.test(cursor)) throw r2InvalidArgument('Invalid cursor')
  return Buffer.from(cursor, 'base64url').toString('utf8')
}

/** Past every key that starts with `prefix` (the list's skip over a delimited prefix). */
const pastPrefix = (prefix: string): string => prefix + '\u{10FFFF}'

/**
 * R2's semantics over the store, shared by the REST API, the Workers binding and the S3 endpoint:
 * names and limits, conditional operations, ranges, checksums, listing with delimiters, multipart
 * uploads. Bodies are streamed through (hashed as they pass), never held whole.
 */
export function createR2Service(deps: { store: R2Store; clock: Clock }) {
  const { store, clock } = deps

  async function bucketOf(ref: R2Ref): Promise<R2Bucket> {
    const b = await store.getBucket(ref.accountId, ref.bucket)
    if (!b) throw r2BucketNotFound()
    return b
  }

  /** Deletes blobs no row refers to any more; a failure only leaks space, never data. */
  async function release(segments: readonly R2Segment[]): Promise<void> {
    if (segments.length > 0) await store.blobs.delete(segments.map((s) => s.blob)).catch(() => undefined)
  }

  function readSegments(segments: readonly R2Segment[], start: number, end: number): AsyncIterable<Uint8Array> {
    return (async function* () {
      let base = 0
      for (const seg of segments) {
        const from = Math.max(start, base)
        const to = Math.min(end, base + seg.size)
        if (from < to) yield* store.blobs.read(seg.blob, from - base, to - base)
        base += seg.size
        if (base >= end) return
      }
    })()
  }

  /** Streams a body into a new blob, verifying size and checksum; the blob and its digests. */
  async function storeBody(
    body: AsyncIterable<Uint8Array>,
    maxBytes: number,
    checksum: R2PutOptions['checksum'],
  ): Promise<{ segment: R2Segment; digests: Record<string, string> }> {
    const algorithms: R2HashName[] = ['md5']
    if (checksum && checksum.name !== 'md5') algorithms.push(checksum.name)
    const hashed = hashingBody(body, algorithms, maxBytes)
    const segment = await store.blobs.write(hashed.body)
    const digests = hashed.digests()
    if (checksum && digests[checksum.name] !== checksum.hex.toLowerCase()) {
      await release([segment])
      throw r2BadDigest(R2_HASH_ALGORITHMS[checksum.name], checksum.hex.toLowerCase(), digests[checksum.name]!)
    }
    return { segment, digests }
  }

  return {
    // --- buckets ---------------------------------------------------------------------------------
    async createBucket(accountId: AccountId, input: { name: unknown; locationHint?: unknown; storageClass?: unknown }): Promise<R2Bucket> {
      if (typeof input.name !== 'string' || !isValidBucketName(input.name)) throw r2InvalidBucketName()
      const location = input.locationHint === undefined || input.locationHint === null ? 'enam' : String(input.locationHint).toLowerCase()
      if (!(R2_LOCATIONS as readonly string[]).includes(location)) throw r2InvalidArgument(`Invalid location hint: ${String(input.locationHint)}`)
      const storageClass = input.storageClass === undefined || input.storageClass === null ? 'Standard' : String(input.storageClass)
      if (!(R2_STORAGE_CLASSES as readonly string[]).includes(storageClass)) throw r2InvalidArgument(`Invalid storage class: ${storageClass}`)
      try {
        return await store.createBucket({ accountId, name: input.name, location, storageClass })
      } catch (e) {
        if (e instanceof StorageConflict) throw r2BucketExists()
        throw e
      }
    },
    listBuckets: (accountId: AccountId) => store.listBuckets(accountId),
    getBucket: (ref: R2Ref) => bucketOf(ref),
    async deleteBucket(ref: R2Ref): Promise<void> {
      const outcome = await store.deleteBucket(ref.accountId, ref.bucket)
      if (outcome === 'missing') throw r2BucketNotFound()
      if (outcome === 'not-empty') throw r2BucketNotEmpty()
    },
    async updateBucket(ref: R2Ref, patch: Partial<Pick<R2Bucket, 'storageClass' | 'cors' | 'lifecycle'>>): Promise<R2Bucket> {
      if (patch.storageClass !== undefined && !(R2_STORAGE_CLASSES as readonly string[]).includes(patch.storageClass))
        throw r2InvalidArgument(`Invalid storage class: ${patch.storageClass}`)
      const b = await store.updateBucket(ref.accountId, ref.bucket, patch)
      if (!b) throw r2BucketNotFound()
      return b
    },

    // --- objects ---------------------------------------------------------------------------------
    async head(ref: R2Ref, key: string): Promise<R2ObjectRow | undefined> {
      checkKey(key)
      const b = await bucketOf(ref)
      return store.getObject(b.id, key)
    },

    /** undefined: no such object. A failed condition answers the object without a body. */
    async get(ref: R2Ref, key: string, opts: R2GetOptions = {}): Promise<R2GetResult | undefined> {
      checkKey(key)
      const b = await bucketOf(ref)
      const object = await store.getObject(b.id, key)
      if (!object) return undefined
      if (opts.onlyIf && !conditionHolds(opts.onlyIf, object)) return { object, body: undefined, range: undefined }
      const span = opts.range
        ? resolveRange(opts.range, object.size)
        : opts.rangeHeader
          ? rangeFromHeader(opts.rangeHeader, object.size)
          : undefined
      const { start, end } = span ?? { start: 0, end: object.size }
      return {
        object,
        body: readSegments(object.segments, start, end),
        range: span ? { offset: start, length: end - start } : undefined,
      }
    },

    /** null: the condition failed and nothing was written. */
    async put(ref: R2Ref, key: string, body: AsyncIterable<Uint8Array> | null, opts: R2PutOptions = {}): Promise<R2ObjectRow | null> {
      checkKey(key)
      checkCustomMetadata(opts.customMetadata)
      const b = await bucketOf(ref)
      const storageClass = storageClassOf(opts.storageClass, b)
      if (opts.declaredLength !== undefined && opts.declaredLength > R2_LIMITS.maxPutBytes) throw r2EntityTooLarge()
      if (opts.onlyIf && !conditionHolds(opts.onlyIf, await store.getObject(b.id, key))) return null
      const { segment, digests } = await storeBody(body ?? (async function* () {})(), R2_LIMITS.maxPutBytes, opts.checksum)
      const row: R2ObjectRow = {
        key,
        version: hexId(),
        size: segment.size,
        etag: digests.md5!,
        uploaded: clock.now(),
        httpMetadata: opts.httpMetadata ?? {},
        customMetadata: opts.customMetadata ?? {},
        checksums: digests,
        storageClass,
        segments: [segment],
      }
      const done = await store.putObject(b.id, row)
      if (!done) {
        await release([segment])
        throw r2BucketNotFound()
      }
      await release(done.replaced)
      return row
    },

    async delete(ref: R2Ref, keys: readonly string[]): Promise<void> {
      for (const k of keys) checkKey(k)
      const b = await bucketOf(ref)
      await release(await store.deleteObjects(b.id, keys))
    },

    async list(ref: R2Ref, opts: R2ListOptions = {}): Promise<R2ListResult> {
      const limit = opts.limit ?? R2_LIMITS.maxListKeys
      if (!Number.isInteger(limit) || limit < 1 || limit > R2_LIMITS.maxListKeys) throw r2InvalidMaxKeys()
      const b = await bucketOf(ref)
      const prefix = opts.prefix ?? ''
      const delimiter = opts.delimiter ?? ''
      let after = opts.cursor ? decodeCursor(opts.cursor) : undefined
      if (opts.startAfter !== undefined && (after === undefined || opts.startAfter > after)) after = opts.startAfter
      const objects: R2ObjectRow[] = []
      const prefixes: string[] = []
      let count = 0
      let last: string | undefined
      for (;;) {
        const rows = await store.listObjects(b.id, { prefix, ...(after !== undefined ? { after } : {}), limit: limit - count + 1 })
        if (rows.length === 0) return { objects, delimitedPrefixes: prefixes, truncated: false }
        for (const row of rows) {
          if (count === limit) return { objects, delimitedPrefixes: prefixes, truncated: true, cursor: encodeCursor(last!) }
          const cut = delimiter === '' ? -1 : row.key.indexOf(delimiter, prefix.length)
          if (cut >= 0) {
            const common = row.key.slice(0, cut + delimiter.length)
            prefixes.push(common)
            last = pastPrefix(common)
            count++
            after = last
            break
          }
          objects.push(row)
          last = row.key
          after = last
          count++
        }
      }
    },

    // --- multipart uploads ---------------------------------------------------------------------
    async createUpload(ref: R2Ref, key: string, opts: Omit<R2PutOptions, 'checksum' | 'onlyIf' | 'declaredLength'> = {}): Promise<R2Upload> {
      checkKey(key)
      checkCustomMetadata(opts.customMetadata)
      const b = await bucketOf(ref)
      const upload: R2Upload = {
        id: hexId(),
        bucketId: b.id,
        key,
        initiated: clock.now(),
        httpMetadata: opts.httpMetadata ?? {},
        customMetadata: opts.customMetadata ?? {},
        storageClass: storageClassOf(opts.storageClass, b),
      }
      await store.createUpload(upload)
      return upload
    },

    async uploadOf(ref: R2Ref, key: string, uploadId: string): Promise<R2Upload> {
      const b = await bucketOf(ref)
      const upload = await store.getUpload(b.id, uploadId)
      if (!upload || upload.key !== key) throw r2NoSuchUpload()
      return upload
    },

    async uploadPart(
      ref: R2Ref,
      key: string,
      uploadId: string,
      partNumber: number,
      body: AsyncIterable<Uint8Array> | null,
      declaredLength?: number,
    ): Promise<{ partNumber: number; etag: string }> {
      if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > R2_LIMITS.maxParts)
        throw r2InvalidArgument('Part number must be an integer between 1 and 10000 (inclusive).')
      const upload = await this.uploadOf(ref, key, uploadId)
      if (declaredLength !== undefined && declaredLength > R2_LIMITS.maxPartBytes) throw r2EntityTooLarge()
      const { segment, digests } = await storeBody(body ?? (async function* () {})(), R2_LIMITS.maxPartBytes, undefined)
      const part = { partNumber, etag: digests.md5!, size: segment.size, uploaded: clock.now(), segment }
      const done = await store.putPart(upload.id, part)
      if (!done) {
        await release([segment])
        throw r2NoSuchUpload()
      }
      await release(done.replaced)
      return { partNumber, etag: part.etag }
    },

    async listParts(ref: R2Ref, key: string, uploadId: string) {
      const upload = await this.uploadOf(ref, key, uploadId)
      return store.listParts(upload.id)
    },

    async listUploads(ref: R2Ref, opts: { prefix?: string; after?: string; limit?: number } = {}) {
      const b = await bucketOf(ref)
      return store.listUploads(b.id, { prefix: opts.prefix ?? '', ...(opts.after ? { after: opts.after } : {}), limit: opts.limit ?? 1000 })
    },

    /**
     * Makes the object of the listed parts (ascending, each named by number and etag). Every part
     * but the last must be at least 5 MiB and all of those the same size, as R2 requires.
     */
    async completeUpload(ref: R2Ref, key: string, uploadId: string, parts: ReadonlyArray<{ partNumber: number; etag: string }>): Promise<R2ObjectRow> {
      const upload = await this.uploadOf(ref, key, uploadId)
      if (parts.length === 0) throw r2BadUpload()
      const stored = new Map((await store.listParts(upload.id)).map((p) => [p.partNumber, p]))
      const chosen = parts.map((p, i) => {
        const found = stored.get(p.partNumber)
        if (!found || found.etag !== p.etag.replace(/^"(.*)"$/, '$1')) throw r2InvalidPart()
        if (i > 0 && p.partNumber <= parts[i - 1]!.partNumber) throw r2InvalidPart()
        return found
      })
      const body = chosen.slice(0, -1)
      if (body.some((p) => p.size < R2_LIMITS.minPartBytes)) throw r2EntityTooSmall()
      if (body.some((p) => p.size !== body[0]!.size)) throw r2BadUpload()
      const md5s = Buffer.concat(chosen.map((p) => Buffer.from(p.etag, 'hex')))
      const row: R2ObjectRow = {
        key,
        version: hexId(),
        size: chosen.reduce((n, p) => n + p.size, 0),
        etag: `${createHash('md5').update(md5s).digest('hex')}-${chosen.length}`,
        uploaded: clock.now(),
        httpMetadata: upload.httpMetadata,
        customMetadata: upload.customMetadata,
        checksums: {},
        storageClass: upload.storageClass,
        segments: chosen.map((p) => p.segment),
      }
      const done = await store.completeUpload(upload.bucketId, upload.id, row)
      if (!done) throw r2NoSuchUpload()
      await release(done.replaced)
      return row
    },

    async abortUpload(ref: R2Ref, key: string, uploadId: string): Promise<void> {
      const b = await bucketOf(ref)
      const upload = await store.getUpload(b.id, uploadId)
      if (!upload || upload.key !== key) return
      await release(await store.abortUpload(b.id, uploadId))
    },

    /**
     * Applies every enabled lifecycle rule once: deletes objects under the rule's prefix past their
     * age (or once its date has come) and aborts uploads older than the abort age. Each object goes
     * only if it is still the version that expired, so a fresh write racing the sweep survives.
     * Answers how many objects and uploads went (at most `batch` per rule and pass).
     */
    async sweepLifecycle(batch = 1000): Promise<number> {
      const now = clock.now()
      let removed = 0
      for (const b of await store.bucketsWithLifecycle()) {
        for (const rule of (b.lifecycle as LifecycleRules).rules) {
          if (!rule.enabled) continue
          const prefix = rule.conditions.prefix
          const expiry = rule.deleteObjectsTransition?.condition
          const before =
            expiry === undefined ? undefined : expiry.type === 'Age' ? now - expiry.maxAge * 1000 : Date.parse(expiry.date) <= now ? now + 1 : undefined
          if (before !== undefined) {
            for (const row of await store.objectsUploadedBefore(b.id, prefix, before, batch)) {
              const gone = await store.deleteObjectVersion(b.id, row.key, row.version)
              if (gone.length > 0 || row.segments.length === 0) removed++
              await release(gone)
            }
          }
          const abort = rule.abortMultipartUploadsTransition?.condition
          if (abort) {
            for (const u of await store.listUploads(b.id, { prefix, limit: batch })) {
              if (u.initiated >= now - abort.maxAge * 1000) continue
              await release(await store.abortUpload(b.id, u.id))
              removed++
            }
          }
        }
      }
      return removed
    },
  }
}

export type R2Service = ReturnType<typeof createR2Service>
