/** Durable Objects with a pending alarm, as in the SQLite driver's 018. */
export const objectAlarms = `
CREATE TABLE placement_object_alarms (
  namespace_id TEXT NOT NULL,
  object_id TEXT NOT NULL,
  alarm_at BIGINT NOT NULL,
  PRIMARY KEY (namespace_id, object_id)
);
CREATE INDEX placement_object_alarms_due ON placement_object_alarms (alarm_at);
`
