import { Hono } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { assetTokenOnlyForUploads, authenticate, authorize, requireOwnAccount } from './auth.js'
import type { ApiDeps, ApiEnv } from './context.js'
import { fail } from './envelope.js'
import { ApiError, internalError, malformedBody, methodNotAllowed, noAccountRoute, noRoute, storageFull } from '../domain/errors.js'
import { storageFailureOf } from '../storage/failures.js'
import { routeModules } from './routes/index.js'
import { consoleRoutes } from '../console/page.js'
import { probeRoutes } from './probes.js'
import { d1TransferRoutes } from './routes/d1.js'
import { s3Routes } from './s3/routes.js'

export const API_PREFIX = '/client/v4'

/** The Cloudflare v4-compatible control plane. Everything it touches arrives through `deps`. */
export function createApi(deps: ApiDeps): Hono<ApiEnv> {
  const v4 = new Hono<ApiEnv>()
  v4.use('*', authenticate(deps))
  v4.use('*', assetTokenOnlyForUploads)
  v4.use('/accounts/:accountId', requireOwnAccount)
  v4.use('/accounts/:accountId/*', requireOwnAccount)
  v4.use('*', authorize)
  for (const module of routeModules) v4.route('/', module(deps))

  const app = new Hono<ApiEnv>()
  app.get('/', (c) => c.text(`Workerhive API. Clients use ${API_PREFIX}; the operators' console is at /console\n`))
  app.route('/', consoleRoutes())
  app.route('/', probeRoutes(deps))
  app.route('/', d1TransferRoutes(deps))
  // R2's S3-compatible endpoint: its own authentication (SigV4) and errors (XML).
  app.route('/', s3Routes(deps))
  app.route(API_PREFIX, v4)

  const patterns = app.routes
    .filter((r) => r.method !== 'ALL')
    .map((r) => ({ method: r.method, regex: routeRegex(r.path) }))

  app.notFound((c) => {
    const path = c.req.path
    const methods = patterns.filter((p) => p.regex.test(path)).map((p) => p.method)
    const err =
      methods.length > 0
        ? methodNotAllowed(c.req.method)
        : path.startsWith(`${API_PREFIX}/accounts/`)
          ? noAccountRoute(path)
          : noRoute()
    return c.json(fail(err.toCfErrors()), err.status as ContentfulStatusCode)
  })

  app.onError((err, c) => {
    if (err instanceof ApiError) return c.json(fail(err.toCfErrors()), err.status as ContentfulStatusCode)
    if (err instanceof HTTPException) {
      const e = err.status === 413 ? new ApiError(413, 10027, err.message || 'Request body too large') : malformedBody(err.message)
      return c.json(fail(e.toCfErrors()), e.status as ContentfulStatusCode)
    }
    if (storageFailureOf(err) === 'full') {
      deps.log.error({ err, method: c.req.method, path: c.req.path }, 'storage full: a write was refused')
      const e = storageFull()
      return c.json(fail(e.toCfErrors()), e.status as ContentfulStatusCode)
    }
    deps.log.error({ err, method: c.req.method, path: c.req.path }, 'unhandled API error')
    const e = internalError()
    return c.json(fail(e.toCfErrors()), e.status as ContentfulStatusCode)
  })

  return app
}

/** Turns a hono path (`/a/:b/c/*`) into a regex that matches the same concrete paths. */
function routeRegex(path: string): RegExp {
  const escaped = path
    .split('/')
    .map((seg) => (seg.startsWith(':') ? '[^/]+' : seg === '*' ? '.*' : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/')
  return new RegExp(`^${escaped}/?$`)
}
