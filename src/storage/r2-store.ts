import type { AccountId } from '../domain/ids.js'

/** An R2 bucket of one account. Names are unique per account, as on Cloudflare. */
export interface R2Bucket {
  id: string
  accountId: AccountId
  name: string
  /** ISO 8601. */
  createdAt: string
  /** The location hint given at creation (`wnam`, `enam`, …), lower case; Workerhive has one place. */
  location: string
  /** `Standard` or `InfrequentAccess`: the class of objects put without one. */
  storageClass: string
  /** Cloudflare's CORS rules as the API takes them (`{ rules: [...] }`), null when none. */
  cors: unknown
  /** Cloudflare's lifecycle rules as the API takes them (`{ rules: [...] }`), null when none. */
  lifecycle: unknown
}

/** One stretch of an object's body: a blob in the body store. A multipart object has one per part. */
export interface R2Segment {
  blob: string
  size: number
}

/** An object as the store keeps it: its metadata and where its body is. */
export interface R2ObjectRow {
  key: string
  /** A fresh id for every write: R2's `version`. */
  version: string
  size: number
  /** Hex MD5 of the body, or `<md5 of part md5s>-<parts>` for multipart uploads. */
  etag: string
  /** Milliseconds since the epoch. */
  uploaded: number
  httpMetadata: Record<string, string>
  customMetadata: Record<string, string>
  /** Hex digests by algorithm (`md5`, `sha256`, …). */
  checksums: Record<string, string>
  storageClass: string
  segments: R2Segment[]
}

export interface R2Upload {
  id: string
  bucketId: string
  key: string
  /** Milliseconds since the epoch. */
  initiated: number
  httpMetadata: Record<string, string>
  customMetadata: Record<string, string>
  storageClass: string
}

export interface R2Part {
  partNumber: number
  etag: string
  size: number
  uploaded: number
  segment: R2Segment
}

/** Where object bodies live: files in the data dir (SQLite) or chunks in the shared database (PostgreSQL). */
export interface R2BlobStore {
  /**
   * Streams `body` into a new blob and makes it durable before resolving (a file is written to a
   * temporary name, fsynced and renamed). Nothing is left behind when `body` throws.
   */
  write(body: AsyncIterable<Uint8Array>): Promise<R2Segment>
  /** Bytes [start, end) of a blob, streamed. */
  read(blob: string, start: number, end: number): AsyncIterable<Uint8Array>
  /** Forgets blobs no object or part refers to any more; missing ones are ignored. */
  delete(blobs: readonly string[]): Promise<void>
}

export interface R2ListOptions {
  prefix: string
  /** Keys strictly greater than this. */
  after?: string
  limit: number
}

/**
 * R2 persistence: buckets, object metadata and multipart uploads in the database; bodies in
 * `blobs`. Methods that replace or remove an object answer the segments it no longer refers to,
 * for the caller to delete from `blobs` once the metadata change is committed.
 */
export interface R2Store {
  readonly blobs: R2BlobStore
  /** Throws StorageConflict when the account already has a bucket of that name. */
  createBucket(input: Omit<R2Bucket, 'id' | 'createdAt' | 'cors' | 'lifecycle'>): Promise<R2Bucket>
  /** The account's buckets in name order. */
  listBuckets(accountId: AccountId): Promise<R2Bucket[]>
  getBucket(accountId: AccountId, name: string): Promise<R2Bucket | undefined>
  /** Every bucket of every account (the lifecycle sweep). */
  bucketsWithLifecycle(): Promise<R2Bucket[]>
  updateBucket(
    accountId: AccountId,
    name: string,
    patch: Partial<Pick<R2Bucket, 'storageClass' | 'cors' | 'lifecycle'>>,
  ): Promise<R2Bucket | undefined>
  /** 'not-empty' while it holds an object or an unfinished upload. */
  deleteBucket(accountId: AccountId, name: string): Promise<'deleted' | 'missing' | 'not-empty'>

  getObject(bucketId: string, key: string): Promise<R2ObjectRow | undefined>
  /** Writes (or replaces) the object; undefined when the bucket is gone. */
  putObject(bucketId: string, row: R2ObjectRow): Promise<{ replaced: R2Segment[] } | undefined>
  /** Deletes the objects that exist; the segments they held. */
  deleteObjects(bucketId: string, keys: readonly string[]): Promise<R2Segment[]>
  /** Objects in key (UTF-8 byte) order, starting with `prefix`, strictly after `after`. */
  listObjects(bucketId: string, opts: R2ListOptions): Promise<R2ObjectRow[]>
  /** Objects under `prefix` uploaded before `beforeMs`, oldest first (lifecycle expiry). */
  objectsUploadedBefore(bucketId: string, prefix: string, beforeMs: number, limit: number): Promise<R2ObjectRow[]>
  /** Deletes the object only if it is still this version; the segments it held. */
  deleteObjectVersion(bucketId: string, key: string, version: string): Promise<R2Segment[]>

  createUpload(upload: R2Upload): Promise<void>
  getUpload(bucketId: string, uploadId: string): Promise<R2Upload | undefined>
  listUploads(bucketId: string, opts: R2ListOptions): Promise<R2Upload[]>
  /** Stores a part (replacing one of the same number); undefined when the upload is gone. */
  putPart(uploadId: string, part: R2Part): Promise<{ replaced: R2Segment[] } | undefined>
  listParts(uploadId: string): Promise<R2Part[]>
  /**
   * Writes the object and ends the upload in one transaction; undefined when the upload is gone.
   * `replaced` holds the old object's segments and those of parts the object does not use.
   */
  completeUpload(bucketId: string, uploadId: string, row: R2ObjectRow): Promise<{ replaced: R2Segment[] } | undefined>
  /** Ends the upload; the segments of its parts. */
  abortUpload(bucketId: string, uploadId: string): Promise<R2Segment[]>
}
