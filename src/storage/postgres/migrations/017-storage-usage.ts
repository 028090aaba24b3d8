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
