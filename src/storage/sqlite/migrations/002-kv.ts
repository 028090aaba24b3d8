/** Workers KV: namespaces and entries. Owned by the KV issue. */
export const kv = `
CREATE TABLE kv_namespaces (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  title TEXT NOT NULL,
  UNIQUE (account_id, title)
);
`
