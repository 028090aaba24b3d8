import { Hono } from 'hono'
import { timingSafeEqual } from 'node:crypto'
import type { AccountId, NamespaceId, VersionId } from '../../domain/ids.js'
import { HEADER_INTERNAL_SECRET } from '../../shared/headers.js'
import { INLINE_CODE_BYTES, type ContainmentState, type ScriptLookup } from '../../shared/protocol.js'
import { codeBundle, describeScript, routingTableOf } from './descriptors.js'
import { createKvService } from '../../kv/service.js'
import type { Store } from '../../storage/store.js'
import type { Keyring } from '../../secrets/sealer.js'
import type { Clock } from '../../util/clock.js'
import type { Logger } from '../../util/logger.js'
import { kvInternalHandlers } from './kv.js'
import { cacheInternalHandler } from './cache.js'
import { assetInternalHandler } from './assets.js'
import type { ResponseCache } from '../../cache/response-cache.js'

export interface InternalDeps {
  store: Store
  /** Opens the sealed secrets of the scripts described to workerd. */
  keyring: Keyring
  log: Logger
  clock: Clock
  secret: string
  /** The Cache API's storage for loaded Workers. */
  cache: ResponseCache
  edgeDomain: string
  /** Whether a live tail is reading a script (then the edge traces it). */
  isTailed(ref: { accountId: string; namespaceId: string; script: string }): boolean
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
    const script = await describeScript(deps.store, deps.keyring, accountId, namespaceId, name, deps.isTailed)
    if (!script) return c.json({ found: false } satisfies ScriptLookup)
    const version = await deps.store.scripts.version(script.versionId as VersionId)
    const small = version && version.modules.reduce((n, m) => n + m.size, 0) <= INLINE_CODE_BYTES
    const body: ScriptLookup = { found: true, script, ...(version && small ? { code: await codeBundle(deps.store, version) } : {}) }
    return c.json(body)
  })

  app.get('/internal/code/:versionId', async (c) => {
    const version = await deps.store.scripts.version(c.req.param('versionId') as VersionId)
    if (!version) return c.text('no such version', 404)
    return c.json(await codeBundle(deps.store, version))
  })

  app.get('/internal/routes', async (c) => c.json(await routingTableOf(deps.store, deps.edgeDomain)))

  // The KV binding. The account and namespace come from the binding's props, which the host set
  // from a descriptor whose KV namespaces were checked to belong to the script's account.
  const kv = kvInternalHandlers(createKvService({ store: deps.store.kv, clock: deps.clock }))
  const ref = (c: { req: { param(name: string): string | undefined } }) => ({
    accountId: c.req.param('account') ?? '',
    namespaceId: c.req.param('ns') ?? '',
  })
  const kvBase = '/internal/kv/:account/:ns'
  app.get(`${kvBase}/value`, (c) => kv.get(c.req.raw, ref(c)))
  app.put(`${kvBase}/value`, (c) => kv.put(c.req.raw, ref(c)))
  app.delete(`${kvBase}/value`, (c) => kv.delete(c.req.raw, ref(c)))
  app.get(`${kvBase}/keys`, (c) => kv.list(c.req.raw, ref(c)))
  app.post(`${kvBase}/bulk/get`, (c) => kv.getBulk(c.req.raw, ref(c)))

  app.on(['GET', 'PUT', 'DELETE'], '/internal/cache/:space/:op', cacheInternalHandler(deps.cache))

  app.get('/internal/assets/:account/:version', assetInternalHandler(deps.store))

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
