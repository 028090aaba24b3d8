import { Hono } from 'hono'
import { isValidCron, nextCronRun } from '../../domain/cron.js'
import { invalidCron, malformedBody, tooManyCrons } from '../../domain/errors.js'
import type { Schedule } from '../../storage/store.js'
import { readJson } from '../body.js'
import type { ApiDeps, ApiEnv } from '../context.js'
import { ok } from '../envelope.js'
import { loadScript, namespaceScriptLocator, scriptParam, type ScriptLocator } from '../scripts/locator.js'
import { accountScriptLocator } from './account-scripts.js'

/** Cloudflare's paid-plan cap is per account; one script may not hold more than this here. */
export const MAX_CRONS_PER_SCRIPT = 250

/**
 * `.../scripts/:script/schedules`: a script's cron triggers. PUT replaces them all (wrangler sends
 * the whole `[triggers] crons` list; `[]` clears); every cron is checked before anything changes.
 */
export function scriptScheduleRoutes(deps: ApiDeps, locator: ScriptLocator): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>()
  const path = `${locator.collection}/:script/schedules`

  app.get(path, async (c) => {
    const where = await locator.scope(c)
    const { script } = await loadScript(deps.store, locator, where, scriptParam(c))
    return c.json(ok(schedulesView(await deps.store.schedules.list(script.id))))
  })

  app.put(path, async (c) => {
    const where = await locator.scope(c)
    const crons = parseSchedules(await readJson(c))
    const { script } = await loadScript(deps.store, locator, where, scriptParam(c))
    const now = deps.clock.now()
    const wanted = crons.map((cron) => ({ cron, nextRunAt: nextCronRun(cron, now) ?? Number.MAX_SAFE_INTEGER }))
    return c.json(ok(schedulesView(await deps.store.schedules.replace(script.id, wanted))))
  })

  return app
}

/** The body: `[{ "cron": "..." }]`. Refuses the whole list for one bad cron, as Cloudflare does. */
export function parseSchedules(body: unknown): string[] {
  if (!Array.isArray(body)) throw malformedBody('expected an array of {"cron": "..."}')
  const crons = body.map((item) => {
    const cron = typeof item === 'object' && item !== null ? (item as { cron?: unknown }).cron : undefined
    if (typeof cron !== 'string') throw malformedBody('every schedule needs a "cron" string')
    const trimmed = cron.trim()
    if (!isValidCron(trimmed)) throw invalidCron(cron)
    return trimmed
  })
  if (crons.length > MAX_CRONS_PER_SCRIPT) throw tooManyCrons(MAX_CRONS_PER_SCRIPT)
  return crons
}

const schedulesView = (schedules: Schedule[]) => ({
  schedules: schedules.map((s) => ({ cron: s.cron, created_on: s.createdOn, modified_on: s.modifiedOn })),
})

export const accountScriptScheduleRoutes = (deps: ApiDeps) => scriptScheduleRoutes(deps, accountScriptLocator())
export const namespaceScriptScheduleRoutes = (deps: ApiDeps) => scriptScheduleRoutes(deps, namespaceScriptLocator(deps))
