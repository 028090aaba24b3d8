/** D1 databases, as in the SQLite driver's 012. */
export const d1 = `
CREATE TABLE d1_databases (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  name TEXT COLLATE "C" NOT NULL,
  created_at TIMESTAMPTZ NOT NULL,
  UNIQUE (account_id, name)
);
`

/** Placement leases, as in the SQLite driver's 012. expires_at: milliseconds since the epoch. */
export const placementLeases = `
CREATE TABLE placement_leases (
  resource TEXT PRIMARY KEY,
  node TEXT NOT NULL,
  address TEXT NOT NULL,
  expires_at BIGINT NOT NULL
);
`
