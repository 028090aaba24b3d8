/**
 * Usage per script, minute and outcome (docs/usage.md). Every node adds its batches to the same
 * rows, so a shared store sums them; histograms (cpu/wall samples in fixed log buckets) are rows
 * of their own so that adding stays one upsert per bucket.
 */
export const usage = `
CREATE TABLE usage_minutes (
  account_id TEXT NOT NULL,
  namespace_id TEXT NOT NULL,
  script TEXT NOT NULL,
  minute BIGINT NOT NULL,
  status TEXT NOT NULL,
  requests BIGINT NOT NULL DEFAULT 0,
  cpu_time_us BIGINT NOT NULL DEFAULT 0,
  wall_time_us BIGINT NOT NULL DEFAULT 0,
  subrequests BIGINT NOT NULL DEFAULT 0,
  kv_reads BIGINT NOT NULL DEFAULT 0,
  kv_writes BIGINT NOT NULL DEFAULT 0,
  kv_lists BIGINT NOT NULL DEFAULT 0,
  kv_deletes BIGINT NOT NULL DEFAULT 0,
  bytes_in BIGINT NOT NULL DEFAULT 0,
  bytes_out BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (account_id, minute, namespace_id, script, status)
);
CREATE INDEX usage_minutes_by_minute ON usage_minutes (minute);
CREATE TABLE usage_histograms (
  account_id TEXT NOT NULL,
  namespace_id TEXT NOT NULL,
  script TEXT NOT NULL,
  minute BIGINT NOT NULL,
  status TEXT NOT NULL,
  metric TEXT NOT NULL,
  bucket INTEGER NOT NULL,
  count BIGINT NOT NULL,
  PRIMARY KEY (account_id, minute, namespace_id, script, status, metric, bucket)
);
CREATE INDEX usage_histograms_by_minute ON usage_histograms (minute);
`
