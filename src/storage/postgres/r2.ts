import type { Clock } from '../../util/clock.js'
import { hexId } from '../../util/ids.js'
import type { R2BlobStore, R2Segment, R2Store } from '../r2-store.js'
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
import { dialect, type Db, type Sql } from './database.js'

const sql = {
  insertBucket: `INSERT INTO r2_buckets (id, account_id, name, location, storage_class, created_at)
    VALUES ($1, $2, $3, $4, $5, $6)`,
  buckets: 'SELECT * FROM r2_buckets WHERE account_id = $1 ORDER BY name COLLATE "C"',
  bucket: 'SELECT * FROM r2_buckets WHERE account_id = $1 AND name = $2',
  bucketForUpdate: 'SELECT * FROM r2_buckets WHERE account_id = $1 AND name = $2 FOR UPDATE',
  withLifecycle: 'SELECT * FROM r2_buckets WHERE lifecycle IS NOT NULL',
  updateBucket: 'UPDATE r2_buckets SET storage_class = $3, cors = $4, lifecycle = $5 WHERE account_id = $1 AND name = $2',
  hasContent: `SELECT EXISTS (SELECT 1 FROM r2_objects WHERE bucket_id = $1)
    OR EXISTS (SELECT 1 FROM r2_uploads WHERE bucket_id = $1) AS busy`,
  deleteBucket: 'DELETE FROM r2_buckets WHERE id = $1',
  // Held until commit, so the bucket cannot be deleted under a write in progress.
  shareBucket: 'SELECT 1 FROM r2_buckets WHERE id = $1 FOR SHARE',

  object: 'SELECT * FROM r2_objects WHERE bucket_id = $1 AND key = $2',
  objectForUpdate: 'SELECT * FROM r2_objects WHERE bucket_id = $1 AND key = $2 FOR UPDATE',
  deleteObject: 'DELETE FROM r2_objects WHERE bucket_id = $1 AND key = $2 RETURNING segments',
  deleteVersion: 'DELETE FROM r2_objects WHERE bucket_id = $1 AND key = $2 AND version = $3 RETURNING segments',
  list: `SELECT * FROM r2_objects WHERE bucket_id = $1 AND key > $2 AND key >= $3 AND key <= $4
    AND starts_with(key, $3) ORDER BY key LIMIT $5`,
  before: `SELECT * FROM r2_objects WHERE bucket_id = $1 AND key >= $2 AND key <= $3 AND starts_with(key, $2)
    AND uploaded < $4 ORDER BY uploaded LIMIT $5`,

  insertUpload: `INSERT INTO r2_uploads (id, bucket_id, key, initiated, http_metadata, custom_metadata, storage_class)
    VALUES ($1, $2, $3, $4, $5, $6, $7)`,
  upload: 'SELECT * FROM r2_uploads WHERE bucket_id = $1 AND id = $2',
  uploadForUpdate: 'SELECT * FROM r2_uploads WHERE id = $1 FOR UPDATE',
  uploads: `SELECT * FROM r2_uploads WHERE bucket_id = $1 AND key > $2 AND key >= $3 AND key <= $4
    AND starts_with(key, $3) ORDER BY key, initiated LIMIT $5`,
  upsertPart: `INSERT INTO r2_parts (upload_id, part_number, etag, size, uploaded, blob) VALUES ($1, $2, $3, $4, $5, $6)
    ON CONFLICT (upload_id, part_number) DO UPDATE
    SET etag = excluded.etag, size = excluded.size, uploaded = excluded.uploaded, blob = excluded.blob`,
  part: 'SELECT * FROM r2_parts WHERE upload_id = $1 AND part_number = $2',
  parts: 'SELECT * FROM r2_parts WHERE upload_id = $1 ORDER BY part_number',
  deleteUpload: 'DELETE FROM r2_uploads WHERE id = $1',
}

export function postgresR2(db: Db, clock: Clock, blobs: R2BlobStore): R2Store {
  const upsert = upsertR2ObjectSql(dialect)
  /** The object's segments, its row locked for the rest of the transaction. */
  const lockedSegments = async (tx: Sql, bucketId: string, key: string): Promise<R2Segment[]> => {
    const old = await tx.one<R2ObjectDbRow>(sql.objectForUpdate, [bucketId, key])
    return old ? toR2Object(dialect, old).segments : []
  }
  return {
    blobs,
    async createBucket(input) {
      const id = hexId()
      const createdAt = new Date(clock.now()).toISOString()
      try {
        await db.run(sql.insertBucket, [id, input.accountId, input.name, input.location, input.storageClass, createdAt])
      } catch (e) {
        rethrowConflict(dialect, `bucket ${input.name}`, e)
      }
      return { ...input, id, createdAt, cors: null, lifecycle: null }
    },
    async listBuckets(accountId) {
      return (await db.rows<R2BucketDbRow>(sql.buckets, [accountId])).map((r) => toR2Bucket(dialect, r))
    },
    async getBucket(accountId, name) {
      const r = await db.one<R2BucketDbRow>(sql.bucket, [accountId, name])
      return r ? toR2Bucket(dialect, r) : undefined
    },
    async bucketsWithLifecycle() {
      return (await db.rows<R2BucketDbRow>(sql.withLifecycle)).map((r) => toR2Bucket(dialect, r))
    },
    async updateBucket(accountId, name, patch) {
      return db.tx(async (tx) => {
        const r = await tx.one<R2BucketDbRow>(sql.bucketForUpdate, [accountId, name])
        if (!r) return undefined
        const b = { ...toR2Bucket(dialect, r), ...patch }
        const json = (v: unknown) => (v === null || v === undefined ? null : JSON.stringify(v))
        await tx.run(sql.updateBucket, [accountId, name, b.storageClass, json(b.cors), json(b.lifecycle)])
        return b
      })
    },
    async deleteBucket(accountId, name) {
      return db.tx(async (tx) => {
        const r = await tx.one<R2BucketDbRow>(sql.bucketForUpdate, [accountId, name])
        if (!r) return 'missing' as const
        if ((await tx.one<{ busy: boolean }>(sql.hasContent, [r.id]))?.busy) return 'not-empty' as const
        await tx.run(sql.deleteBucket, [r.id])
        return 'deleted' as const
      })
    },

    async getObject(bucketId, key) {
      const r = await db.one<R2ObjectDbRow>(sql.object, [bucketId, key])
      return r ? toR2Object(dialect, r) : undefined
    },
    async putObject(bucketId, row) {
      return db.tx(async (tx) => {
        if (!(await tx.one(sql.shareBucket, [bucketId]))) return undefined
        const replaced = await lockedSegments(tx, bucketId, row.key)
        await tx.run(upsert, r2ObjectValues(bucketId, row))
        return { replaced }
      })
    },
    async deleteObjects(bucketId, keys) {
      return db.tx(async (tx) => {
        const gone: R2Segment[] = []
        for (const key of keys) {
          const r = await tx.one<{ segments: R2Segment[] }>(sql.deleteObject, [bucketId, key])
          if (r) gone.push(...r.segments)
        }
        return gone
      })
    },
    async deleteObjectVersion(bucketId, key, version) {
      const r = await db.one<{ segments: R2Segment[] }>(sql.deleteVersion, [bucketId, key, version])
      return r ? r.segments : []
    },
    async listObjects(bucketId, { prefix, after, limit }) {
      const rows = await db.rows<R2ObjectDbRow>(sql.list, [bucketId, after ?? '', prefix, prefixCeiling(prefix), limit])
      return rows.map((r) => toR2Object(dialect, r))
    },
    async objectsUploadedBefore(bucketId, prefix, beforeMs, limit) {
      const rows = await db.rows<R2ObjectDbRow>(sql.before, [bucketId, prefix, prefixCeiling(prefix), beforeMs, limit])
      return rows.map((r) => toR2Object(dialect, r))
    },

    async createUpload(u) {
      await db.run(sql.insertUpload, [
        u.id, u.bucketId, u.key, u.initiated, JSON.stringify(u.httpMetadata), JSON.stringify(u.customMetadata), u.storageClass,
      ])
    },
    async getUpload(bucketId, uploadId) {
      const r = await db.one<R2UploadDbRow>(sql.upload, [bucketId, uploadId])
      return r ? toR2Upload(dialect, r) : undefined
    },
    async listUploads(bucketId, { prefix, after, limit }) {
      const rows = await db.rows<R2UploadDbRow>(sql.uploads, [bucketId, after ?? '', prefix, prefixCeiling(prefix), limit])
      return rows.map((r) => toR2Upload(dialect, r))
    },
    async putPart(uploadId, part) {
      return db.tx(async (tx) => {
        if (!(await tx.one(sql.uploadForUpdate, [uploadId]))) return undefined
        const old = await tx.one<R2PartDbRow>(sql.part, [uploadId, part.partNumber])
        await tx.run(sql.upsertPart, [uploadId, part.partNumber, part.etag, part.size, part.uploaded, part.segment.blob])
        return { replaced: old ? [toR2Part(old).segment] : [] }
      })
    },
    async listParts(uploadId) {
      return (await db.rows<R2PartDbRow>(sql.parts, [uploadId])).map(toR2Part)
    },
    async completeUpload(bucketId, uploadId, row) {
      return db.tx(async (tx) => {
        const u = await tx.one<R2UploadDbRow>(sql.uploadForUpdate, [uploadId])
        if (!u || u.bucket_id !== bucketId) return undefined
        const unused = unusedParts((await tx.rows<R2PartDbRow>(sql.parts, [uploadId])).map(toR2Part), row)
        const replaced = await lockedSegments(tx, bucketId, row.key)
        await tx.run(upsert, r2ObjectValues(bucketId, row))
        await tx.run(sql.deleteUpload, [uploadId])
        return { replaced: [...replaced, ...unused] }
      })
    },
    async abortUpload(bucketId, uploadId) {
      return db.tx(async (tx) => {
        const u = await tx.one<R2UploadDbRow>(sql.uploadForUpdate, [uploadId])
        if (!u || u.bucket_id !== bucketId) return []
        const parts = (await tx.rows<R2PartDbRow>(sql.parts, [uploadId])).map((p) => toR2Part(p).segment)
        await tx.run(sql.deleteUpload, [uploadId])
        return parts
      })
    },
  }
}
