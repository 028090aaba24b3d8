import { Hono, type MiddlewareHandler } from 'hono'
import { authenticate, clientAddress } from './auth.js'
import type { ApiDeps, ApiEnv } from './context.js'
import { isOperator } from './operator.js'
import { forbidden } from '../domain/errors.js'

/**
 * Operations endpoints beside the v4 API, for load balancers and Prometheus: `/healthz` (the
 * process answers), `/readyz` (the edge serves and the store answers) and `/metrics`. The first
 * two take no credentials; see docs/security.md for who may read /metrics.
 */
export function probeRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>()
  app.get('/healthz', (c) => c.json({ status: 'ok' }))

  app.get('/readyz', async (c) => {
    if (!deps.operations) return c.json({ ready: false, checks: { edge: { ok: false, processes: [] } } }, 503)
    const report = await deps.operations.readiness()
    return c.json(report, report.ready ? 200 : 503)
  })

  app.get('/metrics', operatorOrLoopback(deps), async (c) => {
    if (!deps.operations) return c.text('', 200)
    const { contentType, text } = await deps.operations.metrics()
    return c.body(text, 200, { 'content-type': contentType })
  })
  return app
}

/**
 * Without credentials, only from loopback (a Prometheus on the same machine, or a sidecar).
 * With credentials, from anywhere, and only operator credentials: per-tenant figures of every
 * account are the operator's, not a tenant's.
 */
function operatorOrLoopback(deps: ApiDeps): MiddlewareHandler<ApiEnv> {
  const authenticated = authenticate(deps)
  return async (c, next) => {
    const presented = c.req.header('authorization') !== undefined || c.req.header('x-auth-key') !== undefined
    if (!presented && isLoopback(clientAddress(c))) return next()
    return authenticated(c, async () => {
      if (!isOperator(deps, c)) throw forbidden()
      await next()
    })
  }
}

function isLoopback(address: string | undefined): boolean {
  if (!address) return false
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address
  return v4 === '::1' || /^127\.\d+\.\d+\.\d+$/.test(v4)
}
