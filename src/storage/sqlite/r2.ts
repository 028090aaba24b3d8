import type { AccountId } from '../../domain/ids.js'
import type { Clock } from '../../util/clock.js'
import { hexId } from '../../util/ids.js'
import type { R2BlobStore, R2Store } from '../r2-store.js'
import { rethrowConflict } from '../shared/dialect.js'
import {
  prefixCeiling,
  r2ObjectValues,
  toR2Bucket,
  toR2Object,
  toR2Part,
  toR2Upload,
  unusedParts,
  upsertR2ObjectSql,
  type R2BucketDbRow,
  type R2ObjectDbRow,
  type R2PartDbRow,
  type R2UploadDbRow,
} from '../shared/r2.js'
import { dialect, type Db } from './database.js'

export function sqliteR2(db: Db, clock: Clock, blobs: R2BlobStore): R2Store {
  const s = {
    insertBucket: db.prepare(
      'INSERT INTO r2_buckets (id, account_id, name, location, storage_class, created_at) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    buckets: db.prepare<[string], R2BucketDbRow>('SELECT * FROM r2_buckets WHERE account_id = ? ORDER BY name'),
    bucket: db.prepare<[string, string], R2BucketDbRow>('SELECT * FROM r2_buckets WHERE account_id = ? AND name = ?'),
    withLifecycle: db.prepare<[], R2BucketDbRow>('SELECT * FROM r2_buckets WHERE lifecycle IS NOT NULL'),
    updateBucket: db.prepare(
      'UPDATE r2_buckets SET storage_class = ?, cors = ?, lifecycle = ? WHERE account_id = ? AND name = ?',
    ),
    hasContent: db.prepare<[string, string], { n: number }>(
      'SELECT (SELECT count(*) FROM r2_objects WHERE bucket_id = ?) + (SELECT count(*) FROM r2_uploads WHERE bucket_id = ?) AS n',
    ),
    deleteBucket: db.prepare('DELETE FROM r2_buckets WHERE id = ?'),
    bucketById: db.prepare<[string], { id: string }>('SELECT id FROM r2_buckets WHERE id = ?'),

    object: db.prepare<[string, string], R2ObjectDbRow>('SELECT * FROM r2_objects WHERE bucket_id = ? AND key = ?'),
    upsertObject: db.prepare(upsertR2ObjectSql(dialect)),
    deleteObject: db.prepare('DELETE FROM r2_objects WHERE bucket_id = ? AND key = ?'),
    list: db.prepare<[string, string, string, string, number], R2ObjectDbRow>(
      `SELECT * FROM r2_objects WHERE bucket_id = ? AND key > ? AND key >= ? AND key <= ? ORDER BY key LIMIT ?`,
    ),
    before: db.prepare<[string, string, string, number, number], R2ObjectDbRow>(
      `SELECT * FROM r2_objects WHERE bucket_id = ? AND key >= ? AND key <= ? AND uploaded < ? ORDER BY uploaded LIMIT ?`,
    ),

    insertUpload: db.prepare(
      `INSERT INTO r2_uploads (id, bucket_id, key, initiated, http_metadata, custom_metadata, storage_class)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ),
    upload: db.prepare<[string, string], R2UploadDbRow>('SELECT * FROM r2_uploads WHERE bucket_id = ? AND id = ?'),
    uploadById: db.prepare<[string], { id: string }>('SELECT id FROM r2_uploads WHERE id = ?'),
    uploads: db.prepare<[string, string, string, string, number], R2UploadDbRow>(
      `SELECT * FROM r2_uploads WHERE bucket_id = ? AND key > ? AND key >= ? AND key <= ? ORDER BY key, initiated LIMIT ?`,
    ),
    part: db.prepare<[string, number], R2PartDbRow>('SELECT * FROM r2_parts WHERE upload_id = ? AND part_number = ?'),
    upsertPart: db.prepare(
      `INSERT INTO r2_parts (upload_id, part_number, etag, size, uploaded, blob) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (upload_id, part_number) DO UPDATE
       SET etag = excluded.etag, size = excluded.size, uploaded = excluded.uploaded, blob = excluded.blob`,
    ),
    parts: db.prepare<[string], R2PartDbRow>('SELECT * FROM r2_parts WHERE upload_id = ? ORDER BY part_number'),
    deleteUpload: db.prepare('DELETE FROM r2_uploads WHERE id = ?'),
  }

  const objectSegments = (bucketId: string, key: string) => {
    const old = s.object.get(bucketId, key)
    return old ? toR2Object(dialect, old).segments : []
  }

  return {
    blobs,
    async createBucket(input) {
      const id = hexId()
      const createdAt = new Date(clock.now()).toISOString()
      try {
        s.insertBucket.run(id, input.accountId, input.name, input.location, input.storageClass, createdAt)
      } catch (e) {
        rethrowConflict(dialect, `bucket ${input.name}`, e)
      }
      return { ...input, id, createdAt, cors: null, lifecycle: null }
    },
    async listBuckets(accountId) {
      return s.buckets.all(accountId).map((r) => toR2Bucket(dialect, r))
    },
    async getBucket(accountId, name) {
      const r = s.bucket.get(accountId, name)
      return r ? toR2Bucket(dialect, r) : undefined
    },
    async bucketsWithLifecycle() {
      return s.withLifecycle.all().map((r) => toR2Bucket(dialect, r))
    },
    async updateBucket(accountId, name, patch) {
      return db.transaction(() => {
        const r = s.bucket.get(accountId, name)
        if (!r) return undefined
        const b = { ...toR2Bucket(dialect, r), ...patch }
        const json = (v: unknown) => (v === null || v === undefined ? null : JSON.stringify(v))
        s.updateBucket.run(b.storageClass, json(b.cors), json(b.lifecycle), accountId, name)
        return b
      })()
    },
    async deleteBucket(accountId: AccountId, name: string) {
      return db.transaction(() => {
        const r = s.bucket.get(accountId, name)
        if (!r) return 'missing' as const
        if (s.hasContent.get(r.id, r.id)!.n > 0) return 'not-empty' as const
        s.deleteBucket.run(r.id)
        return 'deleted' as const
      })()
    },

    async getObject(bucketId, key) {
      const r = s.object.get(bucketId, key)
      return r ? toR2Object(dialect, r) : undefined
    },
    async putObject(bucketId, row) {
      return db.transaction(() => {
        if (!s.bucketById.get(bucketId)) return undefined
        const replaced = objectSegments(bucketId, row.key)
        s.upsertObject.run(...r2ObjectValues(bucketId, row))
        return { replaced }
      })()
    },
    async deleteObjects(bucketId, keys) {
      return db.transaction(() => {
        const gone = []
        for (const key of keys) {
          gone.push(...objectSegments(bucketId, key))
          s.deleteObject.run(bucketId, key)
        }
        return gone
      })()
    },
    async deleteObjectVersion(bucketId, key, version) {
      return db.transaction(() => {
        const r = s.object.get(bucketId, key)
        if (!r || r.version !== version) return []
        s.deleteObject.run(bucketId, key)
        return toR2Object(dialect, r).segments
      })()
    },
    async listObjects(bucketId, { prefix, after, limit }) {
      return s.list
        .all(bucketId, after ?? '', prefix, prefixCeiling(prefix), limit)
        .filter((r) => r.key.startsWith(prefix))
        .map((r) => toR2Object(dialect, r))
    },
    async objectsUploadedBefore(bucketId, prefix, beforeMs, limit) {
      return s.before
        .all(bucketId, prefix, prefixCeiling(prefix), beforeMs, limit)
        .filter((r) => r.key.startsWith(prefix))
        .map((r) => toR2Object(dialect, r))
    },

    async createUpload(u) {
      s.insertUpload.run(u.id, u.bucketId, u.key, u.initiated, JSON.stringify(u.httpMetadata), JSON.stringify(u.customMetadata), u.storageClass)
    },
    async getUpload(bucketId, uploadId) {
      const r = s.upload.get(bucketId, uploadId)
      return r ? toR2Upload(dialect, r) : undefined
    },
    async listUploads(bucketId, { prefix, after, limit }) {
      return s.uploads
        .all(bucketId, after ?? '', prefix, prefixCeiling(prefix), limit)
        .filter((r) => r.key.startsWith(prefix))
        .map((r) => toR2Upload(dialect, r))
    },
    async putPart(uploadId, part) {
      return db.transaction(() => {
        if (!s.uploadById.get(uploadId)) return undefined
        const old = s.part.get(uploadId, part.partNumber)
        s.upsertPart.run(uploadId, part.partNumber, part.etag, part.size, part.uploaded, part.segment.blob)
        return { replaced: old ? [toR2Part(old).segment] : [] }
      })()
    },
    async listParts(uploadId) {
      return s.parts.all(uploadId).map(toR2Part)
    },
    async completeUpload(bucketId, uploadId, row) {
      return db.transaction(() => {
        if (!s.upload.get(bucketId, uploadId)) return undefined
        const unused = unusedParts(s.parts.all(uploadId).map(toR2Part), row)
        const replaced = objectSegments(bucketId, row.key)
        s.upsertObject.run(...r2ObjectValues(bucketId, row))
        s.deleteUpload.run(uploadId)
        return { replaced: [...replaced, ...unused] }
      })()
    },
    async abortUpload(bucketId, uploadId) {
      return db.transaction(() => {
        if (!s.upload.get(bucketId, uploadId)) return []
        const segments = s.parts.all(uploadId).map((p) => toR2Part(p).segment)
        s.deleteUpload.run(uploadId)
        return segments
      })()
    },
  }
}
