/**
 * Durable Objects on several nodes with a pending alarm (src/runtime/placement/objects.ts): kept by
 * the owner as it replicates the object, read by every node to wake an object whose alarm is due
 * and whose owner died, so the alarm runs without waiting for a call.
 */
export const objectAlarms = `
CREATE TABLE placement_object_alarms (
  namespace_id TEXT NOT NULL,
  object_id TEXT NOT NULL,
  alarm_at INTEGER NOT NULL,
  PRIMARY KEY (namespace_id, object_id)
);
CREATE INDEX placement_object_alarms_due ON placement_object_alarms (alarm_at);
`
