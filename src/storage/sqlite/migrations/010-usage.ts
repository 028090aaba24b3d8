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
  minute INTEGER NOT NULL,
  status TEXT NOT NULL,
  requests INTEGER NOT NULL DEFAULT 0,
  cpu_time_us INTEGER NOT NULL DEFAULT 0,
  wall_time_us INTEGER NOT NULL DEFAULT 0,
  subrequests INTEGER NOT NULL DEFAULT 0,
  kv_reads INTEGER NOT NULL DEFAULT 0,
  kv_writes INTEGER NOT NULL DEFAULT 0,
  kv_lists INTEGER NOT NULL DEFAULT 0,
  kv_deletes INTEGER NOT NULL DEFAULT 0,
  bytes_in INTEGER NOT NULL DEFAULT 0,
  bytes_out INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (account_id, minute, namespace_id, script, status)
);
CREATE INDEX usage_minutes_by_minute ON usage_minutes (minute);
CREATE TABLE usage_histograms (
  account_id TEXT NOT NULL,
  namespace_id TEXT NOT NULL,
  script TEXT NOT NULL,
  minute INTEGER NOT NULL,
  status TEXT NOT NULL,
  metric TEXT NOT NULL,
  bucket INTEGER NOT NULL,
  count INTEGER NOT NULL,
  PRIMARY KEY (account_id, minute, namespace_id, script, status, metric, bucket)
);
CREATE INDEX usage_histograms_by_minute ON usage_histograms (minute);
`
