import { Hono } from 'hono'
import type { ApiDeps, ApiEnv } from '../context.js'
import { isOperator } from '../operator.js'
import { ok } from '../envelope.js'
import type { NamespaceId } from '../../domain/ids.js'
import { containmentNotFound, forbidden, malformedBody, namespaceNotFound, namespaceScriptNotFound, scriptNotFound } from '../../domain/errors.js'
import { rayIdOf } from '../../shared/edge-errors.js'

/**
 * Workerhive's own operator endpoints (no Cloudflare equivalent): the edge's state, per-tenant
 * counters and recent logs. Authenticated like every route; an account sees only its scripts.
 */
export function operationsRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>()

  // An account sees the containment records of its own scripts; the host's figures (processes,
  // pids, watchdog kills, sandbox) only an operator sees (docs/security.md says who that is).
  app.get('/workerhive/status', (c) => {
    const status = deps.status?.()
    if (!status) return c.json(ok({ edge: 'not running' }))
    const account = c.get('account')
    const own = `${account.id}/`
    const containment = status.containment.filter((e) => e.key.startsWith(own))
    if (isOperator(deps, c)) return c.json(ok({ ...status, containment, operator: true }))
    return c.json(ok({ containment, operator: false }))
  })

  // Lifts a probation or ban before its cool-down ends (the key as status lists it). Operators only:
  // a tenant whose script was refused must not be able to let it back onto the shared pool.
  app.delete('/workerhive/containment', async (c) => {
    if (!isOperator(deps, c)) throw forbidden()
    const key = c.req.query('key')
    if (!key) throw malformedBody("query parameter 'key' is required")
    if (!(await deps.liftContainment?.(key))) throw containmentNotFound(key)
    return c.json(ok({ key }))
  })

  app.get('/accounts/:accountId/workerhive/metrics', async (c) => {
    const accountId = c.get('account').id
    const namespaces = new Map((await deps.store.namespaces.list(accountId)).map((n) => [n.id as string, n.name]))
    const rows = (deps.invocations ? await deps.invocations.accountMetrics(accountId) : []).map((m) => ({
      dispatch_namespace: m.namespaceId ? (namespaces.get(m.namespaceId) ?? null) : null,
      script: m.script,
      invocations: m.invocations,
      exceptions: m.exceptions,
      outcomes: m.outcomes,
      last_seen: m.lastSeen === null ? null : new Date(m.lastSeen).toISOString(),
    }))
    return c.json(ok(rows))
  })

  app.get('/accounts/:accountId/workerhive/logs', async (c) => {
    const accountId = c.get('account').id
    const nsName = c.req.query('namespace')
    let namespaceId: NamespaceId | null = null
    if (nsName) {
      const ns = await deps.store.namespaces.get(accountId, nsName)
      if (!ns) throw namespaceNotFound(nsName)
      namespaceId = ns.id
    }
    const script = c.req.query('script') ?? ''
    // A script that does not exist has no logs: say so, as the script routes do, not "no events".
    if (!(await deps.store.scripts.get({ accountId, namespaceId }, script))) {
      throw nsName ? namespaceScriptNotFound(script, nsName) : scriptNotFound()
    }
    const ref = { accountId, namespaceId: namespaceId ?? '', script }
    const events = deps.invocations ? await deps.invocations.recent(ref) : []
    // `ray`: the id from an error page or a `cf-ray` header (its colo suffix is ignored).
    const ray = c.req.query('ray')
    return c.json(ok(ray ? events.filter((e) => e.rayId === rayIdOf(ray)) : events))
  })

  return app
}
