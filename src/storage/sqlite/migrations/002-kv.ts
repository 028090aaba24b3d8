/**
 * Workers KV: namespaces and entries. Owned by the KV issue.
 *
 * Keys are BLOBs holding their UTF-8 bytes, so `ORDER BY key` is Cloudflare's list order (byte
 * order) and prefix ranges compare bytes. Values live in their own table: a value can be 25 MiB,
 * and listing must only ever read the small rows of kv_entries.
 */
export const kv = `
CREATE TABLE kv_namespaces (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  title TEXT NOT NULL,
  UNIQUE (account_id, title)
);
-- expiration: unix seconds, NULL for entries that never expire. metadata: serialized JSON.
CREATE TABLE kv_entries (
  namespace_id TEXT NOT NULL REFERENCES kv_namespaces(id) ON DELETE CASCADE,
  key BLOB NOT NULL,
  expiration INTEGER,
  metadata TEXT,
  size INTEGER NOT NULL,
  PRIMARY KEY (namespace_id, key)
) WITHOUT ROWID;
CREATE INDEX kv_entries_by_expiration ON kv_entries (expiration) WHERE expiration IS NOT NULL;
CREATE TABLE kv_values (
  namespace_id TEXT NOT NULL,
  key BLOB NOT NULL,
  value BLOB NOT NULL,
  PRIMARY KEY (namespace_id, key),
  FOREIGN KEY (namespace_id, key) REFERENCES kv_entries (namespace_id, key) ON DELETE CASCADE
);
`
