/**
 * How much each D1 database and R2 bucket held, sampled by the nodes (docs/usage.md): one row per
 * account, minute, product and resource, the latest sample of the minute.
 */
export const storageSamples = `
CREATE TABLE usage_storage (
  account_id TEXT NOT NULL,
  minute INTEGER NOT NULL,
  product TEXT NOT NULL,
  resource TEXT NOT NULL,
  bytes INTEGER NOT NULL DEFAULT 0,
  metadata_bytes INTEGER NOT NULL DEFAULT 0,
  objects INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (account_id, minute, product, resource)
);
CREATE INDEX usage_storage_by_minute ON usage_storage (minute);
`
