/**
 * R2: buckets, object metadata and multipart uploads, and the bodies themselves (`r2_chunks`,
 * 1 MiB each), so every node of a cluster serves every object. Keys use the "C" collation:
 * byte order, which is R2's list order for UTF-8 keys.
 */
export const r2 = `
CREATE TABLE r2_buckets (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  location TEXT NOT NULL,
  storage_class TEXT NOT NULL,
  cors JSONB,
  lifecycle JSONB,
  created_at TIMESTAMPTZ NOT NULL,
  UNIQUE (account_id, name)
);
CREATE TABLE r2_objects (
  bucket_id TEXT NOT NULL REFERENCES r2_buckets(id) ON DELETE CASCADE,
  key TEXT COLLATE "C" NOT NULL,
  version TEXT NOT NULL,
  size BIGINT NOT NULL,
  etag TEXT NOT NULL,
  uploaded BIGINT NOT NULL,
  http_metadata JSONB NOT NULL,
  custom_metadata JSONB NOT NULL,
  checksums JSONB NOT NULL,
  storage_class TEXT NOT NULL,
  segments JSONB NOT NULL,
  PRIMARY KEY (bucket_id, key)
);
CREATE TABLE r2_uploads (
  id TEXT PRIMARY KEY,
  bucket_id TEXT NOT NULL REFERENCES r2_buckets(id) ON DELETE CASCADE,
  key TEXT COLLATE "C" NOT NULL,
  initiated BIGINT NOT NULL,
  http_metadata JSONB NOT NULL,
  custom_metadata JSONB NOT NULL,
  storage_class TEXT NOT NULL
);
CREATE INDEX r2_uploads_by_bucket ON r2_uploads (bucket_id, key);
CREATE TABLE r2_parts (
  upload_id TEXT NOT NULL REFERENCES r2_uploads(id) ON DELETE CASCADE,
  part_number INTEGER NOT NULL,
  etag TEXT NOT NULL,
  size BIGINT NOT NULL,
  uploaded BIGINT NOT NULL,
  blob TEXT NOT NULL,
  PRIMARY KEY (upload_id, part_number)
);
CREATE TABLE r2_chunks (
  blob TEXT NOT NULL,
  seq INTEGER NOT NULL,
  data BYTEA NOT NULL,
  PRIMARY KEY (blob, seq)
);
`
