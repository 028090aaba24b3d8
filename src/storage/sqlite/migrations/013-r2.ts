/**
 * R2: buckets, object metadata and multipart uploads. Bodies are files in the data dir
 * (`r2/`); rows name them by blob id (`segments`: JSON [{blob, size}], one per part). Keys are
 * TEXT compared bytewise (SQLite's BINARY collation), which is R2's list order for UTF-8 keys.
 */
export const r2 = `
CREATE TABLE r2_buckets (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  location TEXT NOT NULL,
  storage_class TEXT NOT NULL,
  cors TEXT,
  lifecycle TEXT,
  created_at TEXT NOT NULL,
  UNIQUE (account_id, name)
);
CREATE TABLE r2_objects (
  bucket_id TEXT NOT NULL REFERENCES r2_buckets(id) ON DELETE CASCADE,
  key TEXT NOT NULL,
  version TEXT NOT NULL,
  size INTEGER NOT NULL,
  etag TEXT NOT NULL,
  uploaded INTEGER NOT NULL,
  http_metadata TEXT NOT NULL,
  custom_metadata TEXT NOT NULL,
  checksums TEXT NOT NULL,
  storage_class TEXT NOT NULL,
  segments TEXT NOT NULL,
  PRIMARY KEY (bucket_id, key)
) WITHOUT ROWID;
CREATE TABLE r2_uploads (
  id TEXT PRIMARY KEY,
  bucket_id TEXT NOT NULL REFERENCES r2_buckets(id) ON DELETE CASCADE,
  key TEXT NOT NULL,
  initiated INTEGER NOT NULL,
  http_metadata TEXT NOT NULL,
  custom_metadata TEXT NOT NULL,
  storage_class TEXT NOT NULL
);
CREATE INDEX r2_uploads_by_bucket ON r2_uploads (bucket_id, key);
CREATE TABLE r2_parts (
  upload_id TEXT NOT NULL REFERENCES r2_uploads(id) ON DELETE CASCADE,
  part_number INTEGER NOT NULL,
  etag TEXT NOT NULL,
  size INTEGER NOT NULL,
  uploaded INTEGER NOT NULL,
  blob TEXT NOT NULL,
  PRIMARY KEY (upload_id, part_number)
);
`
