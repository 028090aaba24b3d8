import { Hono } from 'hono'
import { timingSafeEqual } from 'node:crypto'
import type { AccountId, NamespaceId, VersionId } from '../../domain/ids.js'
import { HEADER_INTERNAL_SECRET } from '../../host/shared/headers.js'
import type { ContainmentState, ScriptLookup } from '../../host/shared/protocol.js'
import { codeBundle, describeScript, routingTableOf } from '../../runtime/descriptors.js'
import type { Store } from '../../storage/store.js'
import type { Logger } from '../../util/logger.js'

export interface InternalDeps {
  store: Store
  log: Logger
  secret: string
  edgeDomain: string
  /** Scripts on probation or refused, for a process that has just started. */
  containment(): ContainmentState
  /** Trace events from loaded Workers (logs, exceptions, outcomes). */
  onEvents(batch: { accountId: string; namespaceId: string; script: string; events: unknown[] }): void
}

/**
 * The narrow loopback API the host worker calls: descriptors, code by version, the routing table,
 * KV. It is never mounted on the public API port and every call must carry the per-boot secret.
 */
export function createInternalApi(deps: InternalDeps): Hono {
  const app = new Hono()
  const secret = Buffer.from(deps.secret)
  app.use('*', async (c, next) => {
    const given = Buffer.from(c.req.header(HEADER_INTERNAL_SECRET) ?? '')
    if (given.length !== secret.length || !timingSafeEqual(given, secret)) return c.text('forbidden', 403)
    return next()
  })

  app.get('/internal/script', async (c) => {
    const accountId = c.req.query('account') as AccountId
    const namespaceId = (c.req.query('namespace') || null) as NamespaceId | null
    const name = c.req.query('name') ?? ''
    const script = await describeScript(deps.store, accountId, namespaceId, name)
    const body: ScriptLookup = script ? { found: true, script } : { found: false }
    return c.json(body)
  })

  app.get('/internal/code/:versionId', async (c) => {
    const version = await deps.store.scripts.version(c.req.param('versionId') as VersionId)
    if (!version) return c.text('no such version', 404)
    return c.json(await codeBundle(deps.store, version))
  })

  app.get('/internal/routes', async (c) => c.json(await routingTableOf(deps.store, deps.edgeDomain)))

  app.get('/internal/containment', (c) => c.json(deps.containment()))

  app.post('/internal/events', async (c) => {
    deps.onEvents(await c.req.json())
    return c.text('ok')
  })

  app.onError((err, c) => {
    deps.log.error({ err, path: c.req.path }, 'internal API error')
    return c.text('internal error', 500)
  })
  return app
}
