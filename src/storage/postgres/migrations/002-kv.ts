/**
 * Workers KV: namespaces and entries, as in the SQLite driver's 002.
 *
 * Keys are BYTEA holding their UTF-8 bytes: PostgreSQL compares bytea byte by byte, so `ORDER BY
 * key` is Cloudflare's list order and prefix ranges compare bytes. Values live in their own table:
 * a value can be 25 MiB, and listing must only ever read the small rows of kv_entries.
 */
export const kv = `
CREATE TABLE kv_namespaces (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  title TEXT COLLATE "C" NOT NULL,
  UNIQUE (account_id, title)
);
-- expiration: unix seconds, NULL for entries that never expire. metadata: serialized JSON, as given.
CREATE TABLE kv_entries (
  namespace_id TEXT NOT NULL REFERENCES kv_namespaces(id) ON DELETE CASCADE,
  key BYTEA NOT NULL,
  expiration BIGINT,
  metadata TEXT,
  size INTEGER NOT NULL,
  PRIMARY KEY (namespace_id, key)
);
CREATE INDEX kv_entries_by_expiration ON kv_entries (expiration) WHERE expiration IS NOT NULL;
CREATE TABLE kv_values (
  namespace_id TEXT NOT NULL,
  key BYTEA NOT NULL,
  value BYTEA NOT NULL,
  PRIMARY KEY (namespace_id, key),
  FOREIGN KEY (namespace_id, key) REFERENCES kv_entries (namespace_id, key) ON DELETE CASCADE
);
`
