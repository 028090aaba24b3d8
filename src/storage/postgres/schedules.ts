import { isoTime, type Clock } from '../../util/clock.js'
import { uuid } from '../../util/ids.js'
import { DUE_TICKS_SQL, planReplace, toDueTick, toSchedule, type DueTickRow, type ScheduleRow } from '../shared/schedules.js'
import type { ScheduleStore } from '../store.js'
import type { Db } from './database.js'

const OF_SCRIPT = 'SELECT * FROM script_schedules WHERE script_id = $1 ORDER BY created_on, cron'

export function postgresSchedules(db: Db, clock: Clock): ScheduleStore {
  return {
    async replace(scriptId, crons) {
      return db.tx(async (q) => {
        // Lock the script row so two replaces of one script apply one after the other.
        await q.run('SELECT id FROM scripts WHERE id = $1 FOR UPDATE', [scriptId])
        const { add, dropIds } = planReplace(await q.rows<ScheduleRow>(OF_SCRIPT, [scriptId]), crons)
        if (dropIds.length > 0) await q.run('DELETE FROM script_schedules WHERE id = ANY($1::text[])', [dropIds])
        const now = isoTime(clock.now())
        for (const w of add)
          await q.run(
            'INSERT INTO script_schedules (id, script_id, cron, created_on, modified_on, next_run_ms) VALUES ($1, $2, $3, $4, $4, $5)',
            [uuid(), scriptId, w.cron, now, w.nextRunAt],
          )
        return (await q.rows<ScheduleRow>(OF_SCRIPT, [scriptId])).map(toSchedule)
      })
    },
    async list(scriptId) {
      return (await db.rows<ScheduleRow>(OF_SCRIPT, [scriptId])).map(toSchedule)
    },
    async due(now, limit) {
      const rows = await db.rows<DueTickRow>(`${DUE_TICKS_SQL} WHERE s.next_run_ms <= $1 ORDER BY s.next_run_ms LIMIT $2`, [now, limit])
      return rows.map(toDueTick)
    },
    async claim(id, runAt, nextRunAt) {
      // The condition on the old value is the lease: concurrent claims of one tick serialise on the
      // row, and only the first still sees next_run_ms = runAt.
      const changed = await db.run('UPDATE script_schedules SET next_run_ms = $1 WHERE id = $2 AND next_run_ms = $3', [nextRunAt, id, runAt])
      return changed === 1
    },
  }
}
