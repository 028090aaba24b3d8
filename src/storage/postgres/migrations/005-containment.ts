/**
 * Containment records and invocation history, so a restart (or another node) sees them: scripts
 * on probation or refused, per-script outcome counters, and each script's recent trace events
 * (pruned to the newest few per script by the writer). namespace_id is '' for account scripts.
 */
export const containment = `
CREATE TABLE containment (
  account_id TEXT NOT NULL,
  namespace_id TEXT NOT NULL,
  script TEXT NOT NULL,
  status TEXT NOT NULL,
  reason TEXT NOT NULL,
  strikes INTEGER NOT NULL,
  until_ms BIGINT NOT NULL,
  PRIMARY KEY (account_id, namespace_id, script)
);
CREATE TABLE invocation_counts (
  account_id TEXT NOT NULL,
  namespace_id TEXT NOT NULL,
  script TEXT NOT NULL,
  outcome TEXT NOT NULL,
  count BIGINT NOT NULL,
  last_seen BIGINT NOT NULL,
  PRIMARY KEY (account_id, namespace_id, script, outcome)
);
CREATE TABLE invocation_events (
  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_id TEXT NOT NULL,
  namespace_id TEXT NOT NULL,
  script TEXT NOT NULL,
  event JSON NOT NULL
);
CREATE INDEX invocation_events_by_script ON invocation_events (account_id, namespace_id, script, seq);
`
