import { Hono } from 'hono'
import type { ApiDeps, ApiEnv } from '../context.js'
import { ok } from '../envelope.js'
import { readJson } from '../body.js'
import { invalidInput } from '../../domain/errors.js'
import type { NamespaceId } from '../../domain/ids.js'
import type { StoredUsage } from '../../storage/store.js'
import { runAnalyticsQuery } from '../graphql/execute.js'
import { exportRows, toCsv, type GroupBy } from '../usage/export.js'

/** Widest range of one usage export, and most stored records it may read. */
const MAX_EXPORT_DAYS = 93
const MAX_EXPORT_RECORDS = 500_000

/**
 * Usage: Cloudflare's GraphQL Analytics API (`POST /graphql`, the `workersInvocationsAdaptive`
 * dataset) and Workerhive's own export for billing jobs (`GET …/workers/usage`).
 */
export function usageRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>()
  const read = (accountId: string, range: { from: number; to: number }, limit: number): Promise<StoredUsage[]> =>
    deps.usage ? deps.usage.query(accountId, range, limit) : deps.store.usage.query(accountId, range, limit)

  // Always 200 with `data` and `errors`, as Cloudflare answers GraphQL (a body that is not JSON too).
  app.post('/graphql', async (c) => {
    let body: unknown
    try {
      body = await readJson(c)
    } catch {
      body = undefined
    }
    const accountId = c.get('account').id
    const answer = await runAnalyticsQuery(body, {
      accountId,
      now: deps.clock.now(),
      read: (range, limit) => read(accountId, range, limit),
      readOperations: (product, range, limit) =>
        deps.usage ? deps.usage.queryOperations(accountId, product, range, limit) : deps.store.usage.queryOperations(accountId, product, range, limit),
      readStorage: (product, range, limit) => deps.store.usage.queryStorage(accountId, product, range, limit),
      onInternalError: (err) => deps.log.error({ err }, 'GraphQL analytics query failed'),
    })
    return c.json(answer)
  })

  app.get('/accounts/:accountId/workers/usage', async (c) => {
    const accountId = c.get('account').id
    const groupBy = (c.req.query('group_by') ?? 'script') as GroupBy
    if (groupBy !== 'script' && groupBy !== 'tag') throw invalidInput("group_by must be 'script' or 'tag'")
    const format = c.req.query('format') ?? 'json'
    if (format !== 'json' && format !== 'csv') throw invalidInput("format must be 'json' or 'csv'")
    const now = deps.clock.now()
    const to = c.req.query('to') ? dayEnd(c.req.query('to')!, 'to') : now
    const from = c.req.query('from') ? dayStart(c.req.query('from')!, 'from') : to - 30 * 86_400_000
    if (from > to) throw invalidInput("'from' is after 'to'")
    if (to - from > MAX_EXPORT_DAYS * 86_400_000) throw invalidInput(`the range is too wide: at most ${MAX_EXPORT_DAYS} days per export`)
    const records = await read(accountId, { from: from - (from % 60_000), to }, MAX_EXPORT_RECORDS + 1)
    if (records.length > MAX_EXPORT_RECORDS) throw invalidInput('too many usage records in this range: export fewer days at a time')

    const tags = new Map<string, string[]>()
    if (groupBy === 'tag') {
      for (const r of records) {
        const key = `${r.namespaceId}/${r.script}`
        if (tags.has(key)) continue
        const script = await deps.store.scripts.get({ accountId: c.get('account').id, namespaceId: r.namespaceId === '' ? null : (r.namespaceId as NamespaceId) }, r.script)
        tags.set(key, script?.tags ?? [])
      }
    }
    const rows = exportRows(records, groupBy, (r) => tags.get(`${r.namespaceId}/${r.script}`) ?? [])
    if (format === 'csv') {
      return c.body(toCsv(rows, groupBy), 200, {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="usage-by-${groupBy}.csv"`,
      })
    }
    return c.json(ok(rows))
  })

  return app
}

/** A date (YYYY-MM-DD: the day's start) or an RFC 3339 time, in ms. */
function dayStart(value: string, name: string): number {
  const ms = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value)
  if (!Number.isFinite(ms)) throw invalidInput(`'${name}' must be a date (YYYY-MM-DD) or an RFC 3339 time`)
  return ms
}

/** A date names its whole day; a time is taken as it is. */
function dayEnd(value: string, name: string): number {
  const ms = dayStart(value, name)
  return /^\d{4}-\d{2}-\d{2}$/.test(value) ? ms + 86_400_000 - 1 : ms
}
