import { isoTime, type Clock } from '../../util/clock.js'
import { uuid } from '../../util/ids.js'
import { DUE_TICKS_SQL, planReplace, toDueTick, toSchedule, type DueTickRow, type ScheduleRow } from '../shared/schedules.js'
import type { ScheduleStore } from '../store.js'
import type { Db } from './database.js'

export function sqliteSchedules(db: Db, clock: Clock): ScheduleStore {
  const s = {
    ofScript: db.prepare<[string], ScheduleRow>('SELECT * FROM script_schedules WHERE script_id = ? ORDER BY created_on, cron'),
    insert: db.prepare('INSERT INTO script_schedules (id, script_id, cron, created_on, modified_on, next_run_ms) VALUES (?, ?, ?, ?, ?, ?)'),
    drop: db.prepare('DELETE FROM script_schedules WHERE id = ?'),
    due: db.prepare<[number, number], DueTickRow>(`${DUE_TICKS_SQL} WHERE s.next_run_ms <= ? ORDER BY s.next_run_ms LIMIT ?`),
    claim: db.prepare('UPDATE script_schedules SET next_run_ms = ? WHERE id = ? AND next_run_ms = ?'),
  }
  const replace = db.transaction((scriptId: string, wanted: Array<{ cron: string; nextRunAt: number }>) => {
    const { add, dropIds } = planReplace(s.ofScript.all(scriptId), wanted)
    for (const id of dropIds) s.drop.run(id)
    const now = isoTime(clock.now())
    for (const w of add) s.insert.run(uuid(), scriptId, w.cron, now, now, w.nextRunAt)
    return s.ofScript.all(scriptId).map(toSchedule)
  })
  return {
    async replace(scriptId, crons) {
      return replace(scriptId, crons)
    },
    async list(scriptId) {
      return s.ofScript.all(scriptId).map(toSchedule)
    },
    async due(now, limit) {
      return s.due.all(now, limit).map(toDueTick)
    },
    async claim(id, runAt, nextRunAt) {
      return s.claim.run(nextRunAt, id, runAt).changes === 1
    },
  }
}
