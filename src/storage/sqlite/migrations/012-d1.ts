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
