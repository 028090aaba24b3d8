/**
 * How much each D1 database and R2 bucket held, sampled by the nodes (docs/usage.md): one row per
 * account, minute, product and resource, the latest sample of the minute.
 */
export const storageSamples = `
CREATE TABLE usage_storage (
  account_id TEXT NOT NULL,
  minute BIGINT NOT NULL,
  product TEXT NOT NULL,
  resource TEXT NOT NULL,
  bytes BIGINT NOT NULL DEFAULT 0,
  metadata_bytes BIGINT NOT NULL DEFAULT 0,
  objects BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (account_id, minute, product, resource)
);
CREATE INDEX usage_storage_by_minute ON usage_storage (minute);
`
