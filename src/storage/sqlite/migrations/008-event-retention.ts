/**
 * Workers Logs with a retention per account (days and bytes): each event carries its time (ms) and
 * its stored size, so pruning by age and by size needs no JSON parsing. Older rows get 0 for
 * both, which the next age prune drops: they came from the old per-script cap.
 */
export const eventRetention = `
ALTER TABLE invocation_events ADD COLUMN ts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE invocation_events ADD COLUMN bytes INTEGER NOT NULL DEFAULT 0;
CREATE INDEX invocation_events_by_account ON invocation_events (account_id, seq);
CREATE INDEX invocation_events_by_time ON invocation_events (account_id, ts);
`
