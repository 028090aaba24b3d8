import type { ObjectAlarm } from '../placement-store.js'

export interface ObjectAlarmRow {
  namespace_id: string
  object_id: string
  /** BIGINT: pg hands it over as a string. */
  alarm_at: number | string
}

export const toObjectAlarm = (r: ObjectAlarmRow): ObjectAlarm => ({ namespaceId: r.namespace_id, objectId: r.object_id, alarmAt: Number(r.alarm_at) })

/** The statements, the same in both dialects but for placeholders (`orphaned` takes now, now, limit). */
export const objectAlarmSql = (p: (n: number) => string) => ({
  set: `INSERT INTO placement_object_alarms (namespace_id, object_id, alarm_at) VALUES (${p(1)}, ${p(2)}, ${p(3)})
    ON CONFLICT (namespace_id, object_id) DO UPDATE SET alarm_at = excluded.alarm_at`,
  delete: `DELETE FROM placement_object_alarms WHERE namespace_id = ${p(1)} AND object_id = ${p(2)}`,
  // The lease's resource is the object's placement name (ObjectPlacement.resource).
  orphaned: `SELECT a.* FROM placement_object_alarms a
    LEFT JOIN placement_leases l ON l.resource = 'do:' || a.namespace_id || ':' || a.object_id
    WHERE a.alarm_at <= ${p(1)} AND (l.resource IS NULL OR l.expires_at <= ${p(2)})
    ORDER BY a.alarm_at LIMIT ${p(3)}`,
})
