/**
 * What customers' Workers use of D1, R2, Durable Objects and Queues, per script, minute and
 * outcome, in the usage records (docs/usage.md): added as counters that every node adds into.
 */
export const storageUsage = `
ALTER TABLE usage_minutes ADD COLUMN d1_queries BIGINT NOT NULL DEFAULT 0;
ALTER TABLE usage_minutes ADD COLUMN d1_rows_read BIGINT NOT NULL DEFAULT 0;
ALTER TABLE usage_minutes ADD COLUMN d1_rows_written BIGINT NOT NULL DEFAULT 0;
ALTER TABLE usage_minutes ADD COLUMN r2_class_a BIGINT NOT NULL DEFAULT 0;
ALTER TABLE usage_minutes ADD COLUMN r2_class_b BIGINT NOT NULL DEFAULT 0;
ALTER TABLE usage_minutes ADD COLUMN do_requests BIGINT NOT NULL DEFAULT 0;
ALTER TABLE usage_minutes ADD COLUMN do_wall_time_us BIGINT NOT NULL DEFAULT 0;
ALTER TABLE usage_minutes ADD COLUMN queue_writes BIGINT NOT NULL DEFAULT 0;
ALTER TABLE usage_minutes ADD COLUMN queue_reads BIGINT NOT NULL DEFAULT 0;
ALTER TABLE usage_minutes ADD COLUMN queue_deletes BIGINT NOT NULL DEFAULT 0;
`

/**
 * Operations per resource (D1 database, R2 bucket, queue), minute and action, whoever made them:
 * what Cloudflare's per-resource GraphQL datasets answer from. Nodes add into the same rows.
 */
export const usageOperations = `
CREATE TABLE usage_operations (
  account_id TEXT NOT NULL,
  minute BIGINT NOT NULL,
  product TEXT NOT NULL,
  resource TEXT NOT NULL,
  action TEXT NOT NULL,
  operations BIGINT NOT NULL DEFAULT 0,
  rows_read BIGINT NOT NULL DEFAULT 0,
  rows_written BIGINT NOT NULL DEFAULT 0,
  bytes BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (account_id, minute, product, resource, action)
);
CREATE INDEX usage_operations_by_minute ON usage_operations (minute);
`
