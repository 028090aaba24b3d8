import { Hono, type Context } from 'hono'
import { matchedRoutes } from 'hono/route'
import { timingSafeEqual } from 'node:crypto'
import type { ObjectPlacement } from '../placement/objects.js'
import type { AccountId, NamespaceId, VersionId } from '../../domain/ids.js'
import { HEADER_INTERNAL_SECRET } from '../../shared/headers.js'
import { WIRE, type EventBatch, type WireRoute } from '../../shared/wire.js'
import { bindingInternalHandlers } from '../../bindings/index.js'
import type { QueueService } from '../../queues/service.js'
import type { KvReadHorizon } from '../../kv/read-horizon.js'
import type { OperationMeter } from '../../shared/usage.js'
import { EventBatchSchema, parseQuery } from './wire-check.js'
import { INLINE_CODE_BYTES, type ContainmentState, type ScriptLookup } from '../../shared/protocol.js'
import { codeBundle, describeScript, routingTableOf } from './descriptors.js'
import type { Store } from '../../storage/store.js'
import type { Keyring } from '../../secrets/sealer.js'
import type { Clock } from '../../util/clock.js'
import type { Logger } from '../../util/logger.js'
import { cacheInternalHandler } from './cache.js'
import { assetInternalHandler } from './assets.js'
import type { LogSampling } from '../log-sampling.js'
import type { ResponseCache } from '../../cache/response-cache.js'
import type { D1Service } from '../../d1/service.js'

export interface InternalDeps {
  store: Store
  /** D1 databases (the d1 binding's route); absent where no binding reaches them. */
  d1?: D1Service
  /** Binding calls per D1 database and R2 bucket, for the usage records; absent when metering is off. */
  usage?: OperationMeter
  /** Opens the sealed secrets of the scripts described to workerd. */
  keyring: Keyring
  log: Logger
  clock: Clock
  secret: string
  /** The Cache API's storage for loaded Workers. */
  cache: ResponseCache
  edgeDomain: string
  /** The edge's public HTTPS port (redirects of always_use_https zones), when it serves HTTPS. */
  httpsPort?: number
  /** Whether a live tail is reading a script (then the edge traces it). */
  isTailed(ref: { accountId: string; namespaceId: string; script: string }): boolean
  /** Workers Logs for scripts without observability, at the operator's rate. */
  sampling?: LogSampling
  /** Scripts on probation or refused, for a process that has just started. */
  containment(): ContainmentState
  /** Trace events from loaded Workers (logs, exceptions, outcomes). */
  onEvents(batch: EventBatch): void
  /** The queue service the producer binding sends through (the routes make their own when absent). */
  queues?: QueueService
  /** How long a call took, by its wire route (for /metrics). */
  observe?(route: string, seconds: number): void
  /** Binding reads the edge may cache (KV), so a write knows whether the edge must hear of it. */
  kvReads?: KvReadHorizon
  /** Durable Objects' placement on several nodes (PostgreSQL); absent on one node. */
  objects?: ObjectPlacement
}

/**
 * The narrow loopback API the host worker calls: descriptors, code by version, the routing table,
 * the Cache API, assets, and the binding kinds' routes, all declared by the wire. It is never mounted on the public API port and every call must carry the per-boot secret.
 */
export function createInternalApi(deps: InternalDeps): Hono {
  const app = new Hono()
  const secret = Buffer.from(deps.secret)
  app.use('*', async (c, next) => {
    const given = Buffer.from(c.req.header(HEADER_INTERNAL_SECRET) ?? '')
    if (given.length !== secret.length || !timingSafeEqual(given, secret)) return c.text('forbidden', 403)
    const started = process.hrtime.bigint()
    await next()
    const route = matchedRoutes(c).findLast((r) => r.method !== 'ALL')?.path ?? 'unmatched'
    deps.observe?.(route, Number(process.hrtime.bigint() - started) / 1e9)
  })

  // Every route of the wire (src/shared/wire.ts), registered through `on`, which checks its query.
  const on = (route: WireRoute<string, string>, handler: (c: Context) => Response | Promise<Response>): void => {
    app.on(route.method, route.path, (c) => {
      if (!parseQuery(route, c.req.queries())) return c.text('bad query', 400)
      return handler(c)
    })
  }

  on(WIRE.script, async (c) => {
    const query = parseQuery(WIRE.script, c.req.queries()) ?? {}
    const accountId = (query.account ?? '') as AccountId
    const namespaceId = (query.namespace || null) as NamespaceId | null
    const script = await describeScript(deps.store, deps.keyring, accountId, namespaceId, query.name ?? '', deps.isTailed, deps.sampling)
    if (!script) return c.json({ found: false } satisfies ScriptLookup)
    const version = await deps.store.scripts.version(script.versionId as VersionId)
    const small = version && version.modules.reduce((n, m) => n + m.size, 0) <= INLINE_CODE_BYTES
    const body: ScriptLookup = { found: true, script, ...(version && small ? { code: await codeBundle(deps.store, version) } : {}) }
    return c.json(body)
  })

  on(WIRE.code, async (c) => {
    const version = await deps.store.scripts.version(c.req.param('versionId') as VersionId)
    if (!version) return c.text('no such version', 404)
    return c.json(await codeBundle(deps.store, version))
  })

  on(WIRE.routes, async (c) => c.json(await routingTableOf(deps.store, deps.edgeDomain, deps.httpsPort ?? null)))

  const cache = cacheInternalHandler(deps.cache)
  for (const route of [WIRE.cacheGet, WIRE.cachePut, WIRE.cacheDelete]) on(route, cache)

  on(WIRE.assets, assetInternalHandler(deps.store))

  on(WIRE.containment, (c) => c.json(deps.containment()))

  on(WIRE.events, async (c) => {
    const batch = EventBatchSchema.safeParse(await c.req.json())
    if (!batch.success) return c.text('bad event batch', 400)
    deps.onEvents(batch.data)
    return c.text('ok')
  })

  // The binding kinds' Node halves (the KV binding's operations, …), each on its own wire routes.
  const kindContext = { store: deps.store, clock: deps.clock, ...(deps.kvReads ? { kvReads: deps.kvReads } : {}), ...(deps.d1 ? { d1: deps.d1 } : {}), ...(deps.queues ? { queues: deps.queues } : {}), ...(deps.objects ? { objects: deps.objects } : {}), ...(deps.usage ? { usage: deps.usage } : {}) }
  for (const handler of bindingInternalHandlers(kindContext))
    on(handler.route, (c) => handler.handle(c.req.raw, c.req.param() as Record<string, string>))

  app.onError((err, c) => {
    deps.log.error({ err, path: c.req.path }, 'internal API error')
    return c.text('internal error', 500)
  })
  return app
}
