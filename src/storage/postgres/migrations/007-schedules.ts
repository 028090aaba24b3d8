/** Cron triggers: one row per script and cron, with its next run (ms) for the scheduler's claim. */
export const schedules = `
CREATE TABLE script_schedules (
  id TEXT PRIMARY KEY,
  script_id TEXT NOT NULL REFERENCES scripts(id) ON DELETE CASCADE,
  cron TEXT NOT NULL,
  created_on TEXT NOT NULL,
  modified_on TEXT NOT NULL,
  next_run_ms BIGINT NOT NULL,
  UNIQUE (script_id, cron)
);
CREATE INDEX script_schedules_by_next_run ON script_schedules (next_run_ms);
`
