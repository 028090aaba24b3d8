import type { AccountId } from '../../domain/ids.js'
import type { R2Bucket, R2ObjectRow, R2Part, R2Segment, R2Upload } from '../r2-store.js'
import type { Dialect } from './dialect.js'

/** Rows as both drivers read them (PostgreSQL: jsonb parsed, BIGINT as a string, timestamptz a Date). */
export interface R2BucketDbRow {
  id: string
  account_id: string
  name: string
  location: string
  storage_class: string
  cors: unknown
  lifecycle: unknown
  created_at: unknown
}
export interface R2ObjectDbRow {
  key: string
  version: string
  size: number | string
  etag: string
  uploaded: number | string
  http_metadata: unknown
  custom_metadata: unknown
  checksums: unknown
  storage_class: string
  segments: unknown
}
export interface R2UploadDbRow {
  id: string
  bucket_id: string
  key: string
  initiated: number | string
  http_metadata: unknown
  custom_metadata: unknown
  storage_class: string
}
export interface R2PartDbRow {
  part_number: number
  etag: string
  size: number | string
  uploaded: number | string
  blob: string
}

const jsonOrNull = (d: Dialect, v: unknown): unknown => (v === null || v === undefined ? null : d.json(v))

export const toR2Bucket = (d: Dialect, r: R2BucketDbRow): R2Bucket => ({
  id: r.id,
  accountId: r.account_id as AccountId,
  name: r.name,
  createdAt: d.time(r.created_at),
  location: r.location,
  storageClass: r.storage_class,
  cors: jsonOrNull(d, r.cors),
  lifecycle: jsonOrNull(d, r.lifecycle),
})

export const toR2Object = (d: Dialect, r: R2ObjectDbRow): R2ObjectRow => ({
  key: r.key,
  version: r.version,
  size: Number(r.size),
  etag: r.etag,
  uploaded: Number(r.uploaded),
  httpMetadata: d.json(r.http_metadata),
  customMetadata: d.json(r.custom_metadata),
  checksums: d.json(r.checksums),
  storageClass: r.storage_class,
  segments: d.json(r.segments),
})

export const toR2Upload = (d: Dialect, r: R2UploadDbRow): R2Upload => ({
  id: r.id,
  bucketId: r.bucket_id,
  key: r.key,
  initiated: Number(r.initiated),
  httpMetadata: d.json(r.http_metadata),
  customMetadata: d.json(r.custom_metadata),
  storageClass: r.storage_class,
})

export const toR2Part = (r: R2PartDbRow): R2Part => ({
  partNumber: r.part_number,
  etag: r.etag,
  size: Number(r.size),
  uploaded: Number(r.uploaded),
  segment: { blob: r.blob, size: Number(r.size) },
})

/** The columns of r2_objects in insert order, and a row's values for them (JSON as text). */
export const R2_OBJECT_COLUMNS = [
  'bucket_id', 'key', 'version', 'size', 'etag', 'uploaded', 'http_metadata', 'custom_metadata', 'checksums', 'storage_class', 'segments',
] as const
export const r2ObjectValues = (bucketId: string, o: R2ObjectRow): unknown[] => [
  bucketId, o.key, o.version, o.size, o.etag, o.uploaded,
  JSON.stringify(o.httpMetadata), JSON.stringify(o.customMetadata), JSON.stringify(o.checksums), o.storageClass, JSON.stringify(o.segments),
]

/** The upsert of an object row, in the dialect's placeholders. */
export const upsertR2ObjectSql = (d: Dialect): string =>
  `INSERT INTO r2_objects (${R2_OBJECT_COLUMNS.join(', ')}) VALUES (${R2_OBJECT_COLUMNS.map((_, i) => d.placeholder(i + 1)).join(', ')})
   ON CONFLICT (bucket_id, key) DO UPDATE SET ${R2_OBJECT_COLUMNS.slice(2).map((c) => `${c} = excluded.${c}`).join(', ')}`

/** Segments of the parts an object made from them does not use (parts uploaded but not listed). */
export const unusedParts = (parts: readonly R2Part[], row: R2ObjectRow): R2Segment[] => {
  const used = new Set(row.segments.map((s) => s.blob))
  return parts.filter((p) => !used.has(p.segment.blob)).map((p) => p.segment)
}

/**
 * An upper bound for keys starting with `prefix` (U+10FFFF is the largest code point, so its UTF-8
 * bytes sort after every character a key can hold): listing scans [prefix, bound] and checks the prefix.
 */
export const prefixCeiling = (prefix: string): string => prefix + '\u{10FFFF}'
