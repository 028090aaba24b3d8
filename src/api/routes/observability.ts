import { Hono } from 'hono'
import { namespaceNotFound } from '../../domain/errors.js'
import { readJsonObject } from '../body.js'
import type { ApiDeps, ApiEnv } from '../context.js'
import { ok } from '../envelope.js'
import { telemetryEventOf } from '../observability/telemetry-event.js'
import { parseTelemetryQuery } from '../observability/telemetry-query.js'

/** Workers Logs: Cloudflare's observability query over the events the invocation log keeps. */
export function observabilityRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>()

  app.post('/accounts/:accountId/workers/observability/telemetry/query', async (c) => {
    const started = performance.now()
    const accountId = c.get('account').id
    const q = parseTelemetryQuery(await readJsonObject(c))
    const namespaces = await deps.store.namespaces.list(accountId)
    const nameOf = new Map(namespaces.map((n) => [n.id as string, n.name]))
    let namespaceId: string | undefined
    if (q.dispatchNamespace !== undefined) {
      const ns = namespaces.find((n) => n.name === q.dispatchNamespace)
      if (!ns) throw namespaceNotFound(q.dispatchNamespace)
      namespaceId = ns.id
    }
    const stored = deps.invocations
      ? await deps.invocations.query(accountId, {
          from: q.from,
          to: q.to,
          limit: q.limit,
          // A script filter without a namespace means the account's own script, as in Cloudflare.
          ...(q.script !== undefined ? { script: { namespaceId: namespaceId ?? '', script: q.script } } : {}),
          ...(q.needle !== undefined ? { needle: q.needle } : {}),
        })
      : []
    const events = stored
      .filter((e) => namespaceId === undefined || e.namespaceId === namespaceId)
      .map((e) => telemetryEventOf(e, accountId, e.namespaceId ? (nameOf.get(e.namespaceId) ?? null) : null))
    const bytes = events.reduce((n, e) => n + JSON.stringify(e['source']).length, 0)
    return c.json(
      ok({
        run: {
          id: crypto.randomUUID(),
          accountId,
          dry: false,
          granularity: 0,
          status: 'COMPLETED',
          timeframe: { from: q.from, to: q.to },
          query: { id: q.queryId, parameters: {} },
        },
        statistics: { elapsed: (performance.now() - started) / 1000, rows_read: events.length, bytes_read: bytes },
        events: { count: events.length, events, fields: [], series: [] },
      }),
    )
  })

  return app
}
