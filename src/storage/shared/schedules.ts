import type { AccountId, NamespaceId, ScriptId } from '../../domain/ids.js'
import type { DueTick, Schedule } from '../store.js'

export interface ScheduleRow {
  id: string
  script_id: string
  cron: string
  created_on: string
  modified_on: string
  next_run_ms: number | string
}

export interface DueTickRow {
  id: string
  script_id: string
  account_id: string
  namespace_id: string
  name: string
  cron: string
  next_run_ms: number | string
}

// Dates come back as text from SQLite and as Date from PostgreSQL's TIMESTAMPTZ: both are stored as text here.
export const toSchedule = (r: ScheduleRow): Schedule => ({ cron: r.cron, createdOn: r.created_on, modifiedOn: r.modified_on })

export const toDueTick = (r: DueTickRow): DueTick => ({
  id: r.id,
  scriptId: r.script_id as ScriptId,
  accountId: r.account_id as AccountId,
  namespaceId: r.namespace_id === '' ? null : (r.namespace_id as NamespaceId),
  scriptName: r.name,
  cron: r.cron,
  runAt: Number(r.next_run_ms),
})

/** Which rows a replace keeps, adds and drops: crons are compared as written. */
export function planReplace(
  existing: ScheduleRow[],
  wanted: Array<{ cron: string; nextRunAt: number }>,
): { add: Array<{ cron: string; nextRunAt: number }>; dropIds: string[] } {
  const wantedCrons = new Set(wanted.map((w) => w.cron))
  const have = new Set(existing.map((r) => r.cron))
  const seen = new Set<string>()
  const add = wanted.filter((w) => !have.has(w.cron) && !seen.has(w.cron) && seen.add(w.cron))
  return { add, dropIds: existing.filter((r) => !wantedCrons.has(r.cron)).map((r) => r.id) }
}

export const DUE_TICKS_SQL = `SELECT s.id, s.script_id, s.cron, s.next_run_ms, sc.account_id, sc.namespace_id, sc.name
  FROM script_schedules s JOIN scripts sc ON sc.id = s.script_id`
