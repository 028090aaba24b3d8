/** D1 databases: the account's list of them. Each database's own data is a SQLite file of its own (src/d1/). */
export const d1 = `
CREATE TABLE d1_databases (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  created_at TEXT NOT NULL,
  UNIQUE (account_id, name)
);
`

/**
 * Placement leases (src/runtime/placement/): which node owns a resource (a D1 database, a Durable
 * Object) until when. With SQLite only one node exists, but the store is the same everywhere.
 */
export const placementLeases = `
CREATE TABLE placement_leases (
  resource TEXT PRIMARY KEY,
  node TEXT NOT NULL,
  address TEXT NOT NULL,
  expires_at INTEGER NOT NULL
);
`
