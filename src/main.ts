import { QueueMeter } from './queues/meter.js'
import { QueueService } from './queues/service.js'
import { QueueConsumerLoop } from './runtime/queue-consumers.js'
import { createAdaptorServer, type ServerType } from '@hono/node-server'
import type { AddressInfo } from 'node:net'
import { createApi } from './api/app.js'
import { TailSessions } from './api/tail/sessions.js'
import { handleTailUpgrade } from './api/tail/upgrade.js'
import { ResponseCache } from './cache/response-cache.js'
import { createKvService } from './kv/service.js'
import { withKvChanges } from './kv/changes.js'
import { KvReadHorizon } from './kv/read-horizon.js'
import { startExpirySweeper } from './kv/sweeper.js'
import { D1Service } from './d1/service.js'
import { d1ClusterHandler, resourceOf as d1Resource, type D1Cluster } from './d1/cluster.js'
import { D1_LIMITS } from './d1/limits.js'
import { ClusterClient, clusterKeys, ClusterRoutes } from './runtime/placement/cluster.js'
import { PageReplica } from './runtime/placement/pages.js'
import { Placement } from './runtime/placement/placement.js'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { Transfers } from './d1/transfers.js'
import { startLifecycleSweeper } from './r2/lifecycle.js'
import { createR2Service } from './r2/service.js'
import { Containment } from './runtime/containment.js'
import { startEdge, type Edge } from './runtime/edge.js'
import { Scheduler } from './runtime/scheduler.js'
import type { EdgeNotifier } from './runtime/edge-notifier.js'
import { EventHub, withRayId, type TraceEvent } from './runtime/events.js'
import { createInternalApi } from './runtime/internal/server.js'
import { serveInternalApi } from './runtime/internal/serve.js'
import { InvocationLog } from './runtime/invocation-log.js'
import { UsageRecorder } from './runtime/usage-recorder.js'
import { PlatformMetrics } from './runtime/metrics.js'
import { readiness } from './runtime/readiness.js'
import { withTimedStore } from './storage/timed.js'
import { credentialsFile, CredentialsMismatchError, ensureFirstAccount, type Credentials } from './bootstrap.js'
import type { Config } from './config/config.js'
import { holdDataDir, lostDatabase, protectDataFiles, rememberEndpoints, sqliteFile } from './data-dir.js'
import { sealStoredSecrets, withSealedSecrets } from './secrets/at-rest.js'
import { loadKeySource, SecretsKeyError } from './secrets/key-source.js'
import type { Keyring } from './secrets/sealer.js'
import { explainStorageFailure, storageFailureOf } from './storage/failures.js'
import { bindEdgeSocket, type EdgeSocket } from './runtime/edge-socket.js'
import { openStore } from './storage/open.js'
import type { Store } from './storage/store.js'
import { systemClock, type Clock } from './util/clock.js'
import { secretToken } from './util/ids.js'
import { LockHeldError } from './util/pid-lock.js'
import { createLogger, type Logger } from './util/logger.js'
import { LogSampling } from './runtime/log-sampling.js'
import { ObjectPlacement } from './runtime/placement/objects.js'
import { startPeriodicSweep, type PeriodicSweep } from './util/periodic-sweep.js'
import { startStorageSampler } from './runtime/storage-sampler.js'
import { objectStorageByNamespace, objectStorageFromImages } from './runtime/object-storage.js'
import { OBJECTS_UNIQUE_KEY } from './runtime/workerd-config.js'
import { openFileLimit } from './util/fd-limit.js'
import { listenHttps, startEdgeHttps, type EdgeHttps, type HttpsListener } from './runtime/https/index.js'

export interface Platform {
  readonly apiUrl: string
  readonly apiPort: number
  readonly edgePort: number
  /** The edge's HTTPS port and development CA, when `httpsPort` is set; `renewDue()` runs the renewal pass. */
  readonly https: { port: number; devCaPath: string; renewDue(): Promise<void> } | undefined
  readonly credentials: Credentials
  readonly store: Store
  readonly edge: Edge
  readonly tails: TailSessions
  /** Cron triggers; `tick()` runs what is due now (tests with an injected clock drive it so). */
  readonly scheduler: Scheduler
  /** Queue consumer Workers; `pass()` delivers what is deliverable now. */
  readonly queueConsumers: QueueConsumerLoop
  /** Queue operations per script since the last drain (for the usage records). */
  readonly queueMeter: QueueMeter
  /** Storage gauges; `sweep()` samples now. */
  readonly storageSampler: PeriodicSweep
  stop(): Promise<void>
}

export interface PlatformOptions {
  log?: Logger
  /** The platform's time. An injected clock also stops the scheduler's own timer: its owner calls `scheduler.tick()`. */
  clock?: Clock
}

/** A start that cannot go on, said as what happened and how to fix it (the CLI prints it as is). */
export class StartupError extends Error {}

/**
 * `workerhive start`, and the one composition root: hold the data dir, bind both ports, open
 * storage, make sure an account exists, start the data plane (internal API + edge) and the API.
 * A start that fails half-way undoes what it did.
 */
export async function startPlatform(config: Config, opts: PlatformOptions = {}): Promise<Platform> {
  const log = opts.log ?? createLogger(config.logLevel)
  const undo: Array<() => unknown> = []
  try {
    return await launch(config, log, opts.clock ?? systemClock, undo, opts.clock === undefined)
  } catch (err) {
    for (const step of undo.reverse()) {
      try {
        await step()
      } catch (cleanupErr) {
        log.warn({ err: cleanupErr }, 'cleanup after a failed start failed')
      }
    }
    throw explainStartupFailure(err, config)
  }
}

/** startPlatform's steps; each pushes onto `undo` how to take it back. */
async function launch(config: Config, log: Logger, clock: Clock, undo: Array<() => unknown>, timedScheduler: boolean): Promise<Platform> {
  // Nothing is written to the data dir before this process holds it and both ports are bound, so a
  // second start on a live data dir or a busy port fails without touching the running instance.
  const lock = holdDataDir(config.dataDir)
  undo.push(() => lock.release())
  const apiListener = await bindApi(config)
  undo.push(() => closeServer(apiListener.server))
  const edgeSocket = explainBind(() => bindEdgeSocket(config.host, config.edgePort), config.host, config.edgePort, '--edge-port')
  undo.push(() => edgeSocket.close())
  let httpsListener: HttpsListener | undefined
  if (config.httpsPort !== undefined) {
    const listener = await listenHttps({ host: config.host, port: config.httpsPort, log }).catch((err: unknown) => {
      throw explainBindFailure(err, config.host, config.httpsPort!, '--https-port')
    })
    undo.push(() => listener.close())
    httpsListener = listener
  }
  if (config.storage === 'sqlite') {
    const lost = lostDatabase(config.dataDir, credentialsFile(config.dataDir))
    if (lost) throw new StartupError(`${lost}; restore it from a backup, or move credentials.json away to start a new platform`)
  }
  const keys = loadKeySource(config)
  const rawStore = await openDataStore(config, clock)
  undo.push(() => rawStore.close())
  protectDataFiles(config.dataDir)
  const keyring = await sealStoredSecrets(rawStore, keys, config)
  const metrics = new PlatformMetrics()
  const timedStore = withTimedStore(withSealedSecrets(rawStore, keyring), (operation, seconds) => metrics.observeStore(operation, seconds))
  // KV writes reach the edge's read caches once the edge exists (nothing writes KV before), and
  // only for namespaces the edge may hold reads of.
  const kvReads = new KvReadHorizon()
  let kvChanged: EdgeNotifier['kvChanged'] = async () => {}
  const store: Store = { ...timedStore, kv: withKvChanges(timedStore.kv, (change) => kvChanged(change)) }
  const credentials = await ensureFirstAccount(store, config.dataDir)
  protectDataFiles(config.dataDir)
  // Reads already hide and purge expired KV entries; this reclaims the ones nobody reads again.
  const sweeper = startExpirySweeper(createKvService({ store: store.kv, clock }), { log })
  undo.push(() => sweeper.stop())
  // Several nodes (PostgreSQL): each D1 database has one owner at a time, which the others reach
  // through signed calls on the API port; one node (SQLite) owns everything.
  const cluster = config.storage === 'postgres' ? placementOf(config, store, keyring, clock, (apiListener.server.address() as AddressInfo).port) : undefined
  if (cluster) {
    cluster.placement.start((err) => log.warn({ err }, 'renewing placement leases failed'))
    undo.push(() => cluster.placement.stop())
  }
  // D1 queries run in the engine's own processes, never on this thread.
  const d1 = new D1Service({ store: store.d1, dataDir: config.dataDir, ...(cluster ? { cluster } : {}) })
  undo.push(() => d1.close())
  const clusterRoutes = cluster && new ClusterRoutes(clusterKeys(keyring), clock)
  clusterRoutes?.on('d1', d1ClusterHandler(d1))
  // Durable Objects the same way: one owner node per object, its files replicated after each call.
  const objects = cluster && new ObjectPlacement({ ...cluster, objectsDir: join(config.dataDir, 'objects', OBJECTS_UNIQUE_KEY), bundleDir: join(config.dataDir, 'objects-replica'), alarms: store.placement, clock, log: log.child({ component: 'objects-placement' }) })
  if (objects && clusterRoutes) objects.mount(clusterRoutes)
  // An object whose owner died with an alarm pending is woken by whichever node claims it first.
  const objectAlarms =
    objects &&
    cluster &&
    startPeriodicSweep(() => objects.wakeOrphanedAlarms(), { intervalMs: cluster.placement.renewEveryMs, log, removed: 'woke Durable Objects for their alarms', failed: 'waking Durable Objects for their alarms failed' })
  if (objectAlarms) undo.push(() => objectAlarms.stop())
  // R2 buckets' lifecycle rules: objects past their age go, old unfinished uploads are aborted.
  const lifecycle = startLifecycleSweeper(createR2Service({ store: store.r2, clock }), { log })
  undo.push(() => lifecycle.stop())
  // Storage held (D1 database sizes, R2 bucket bytes and objects, Durable Object storage): sampled, as it is state.
  const storageSampler: PeriodicSweep = !config.usageMetering
    ? { sweep: async () => 0, stop: () => {} }
    : startStorageSampler({
        store: store.usage,
        // One node (SQLite) holds every object's files; on several, each holds some: their images in the shared store hold all.
        objectBytes: cluster ? () => objectStorageFromImages(store.placement) : () => objectStorageByNamespace(join(config.dataDir, 'objects', OBJECTS_UNIQUE_KEY)),
        // On several nodes only a database's owner samples it (the others would each ask the owner).
        ...(cluster ? { d1Here: (id: string) => cluster.placement.holds(d1Resource(id)) } : {}),
        d1Size: async (accountId, id) => (await d1.info(await d1.resolve(accountId as Credentials['accountId'], id))).size,
        now: () => clock.now(),
        retentionMs: config.usageRetentionDays * 86_400_000,
        log: log.child({ component: 'storage-sampler' }),
      })
  undo.push(() => storageSampler.stop())
  // Tails exist only once the edge does (they read its events), but the edge asks about them.
  let tails: TailSessions | undefined
  // Queues: one service for the REST API and the producer binding, whose sends wake this node's
  // consumer loop; the meter counts operations per script for the usage records.
  const queueMeter = new QueueMeter()
  let queueConsumers: QueueConsumerLoop | undefined
  const queues = new QueueService({ store, clock, meter: queueMeter, onSend: () => queueConsumers?.wake() })
  const { edge, stop: stopDataPlane } = await startDataPlane({
    store,
    d1,
    ...(objects ? { objects } : {}),
    keyring,
    log,
    clock,
    metrics,
    kvReads,
    queues,
    queueMeter,
    config: { ...config, apiPort: (apiListener.server.address() as AddressInfo).port, ...(httpsListener ? { httpsPort: httpsListener.port } : {}) },
    socket: edgeSocket,
    isTailed: (ref) => tails?.isTailed(ref) ?? false,
  })
  undo.push(() => stopDataPlane())
  objects?.attach((path, init) => edge.objectsCall(path, init))
  const notifier = sharedNotifier(edge, store)
  kvChanged = async (change) => {
    if (kvReads.mayBeCached(change.accountId, change.namespaceId)) await notifier.kvChanged(change)
  }
  let https: EdgeHttps | undefined
  if (httpsListener) {
    https = await startEdgeHttps({
      listener: httpsListener,
      plainPort: edge.tlsPlainPort!,
      config,
      store,
      keyring,
      clock,
      log,
      routesChanged: () => notifier.routesChanged(),
      timed: timedScheduler,
    })
    const started = https
    undo.push(() => started.stop())
  }
  metrics.attach({
    processes: () => edge.processes(),
    watchdog: edge.watchdog,
    containment: () => edge.watchdog.containment.entries(),
    namespaceTotals: () => edge.invocations.namespaceTotals(),
    d1Engine: () => d1.engineProcesses(),
  })
  tails = new TailSessions({ events: edge.events, clock, log })
  // A script is traced only while it has a tail. Creating and deleting one through the API reshape
  // its isolate before answering; a tail that expires or closes at shutdown does it here.
  tails.onChange(({ kind, session }) => {
    if (kind === 'ended') {
      const { accountId, namespaceId, script } = session.ref
      void edge.notifier.scriptChanged({ accountId, namespaceId: namespaceId || null, name: script })
    }
  })

  const api = createApi({
    store,
    log,
    clock,
    config: { ...config, edgePort: edge.port },
    edge: notifier,
    invocations: edge.invocations,
    usage: edge.usage,
    ...(config.usageMetering ? { usageMeter: edge.usage } : {}),
    tails,
    startup: edge.startup,
    operatorAccountId: credentials.accountId,
    operations: {
      readiness: () => readiness({ processes: () => edge.processes(), pingStore: () => store.accounts.get(credentials.accountId) }),
      metrics: async () => ({ contentType: metrics.contentType, text: await metrics.text() }),
    },
    status: () => ({
      sandbox: edge.sandbox,
      processes: edge.processes().map((p) => ({ index: p.index, role: p.role, state: p.state, restarts: p.restarts, ...(p.pid ? { pid: p.pid } : {}) })),
      watchdog: { kills: edge.watchdog.kills, recycles: edge.watchdog.recycles },
      containment: edge.watchdog.containment.entries(),
    }),
    liftContainment: (key) => edge.liftContainment(key),
    queues,
    ...(https ? { tls: https.control } : {}),
    d1: { service: d1, transfers: new Transfers(() => clock.now()) },
  })
  const scheduler = new Scheduler({ store, clock, log: log.child({ component: 'scheduler' }), run: (run) => edge.scheduled.run(run) })
  if (timedScheduler) scheduler.start()
  undo.push(() => scheduler.stop())
  queueConsumers = new QueueConsumerLoop({ store, queues, meter: queueMeter, clock, log: log.child({ component: 'queues' }), deliver: (run) => edge.scheduled.queue(run) })
  queueConsumers.start()
  undo.push(() => queueConsumers?.stop())
  // Other nodes' calls (signed, see src/runtime/placement/cluster.ts) share the API's port.
  const server = apiListener.serve(clusterRoutes ? (req, env) => (clusterRoutes.handles(new URL(req.url)) ? clusterRoutes.fetch(req) : api.fetch(req, env)) : api.fetch)
  // Tail sockets are the API's only WebSockets; hono's node server leaves upgrades to us.
  server.on('upgrade', (req, socket, head) => handleTailUpgrade({ sessions: tails, log }, req, socket, head))
  const apiPort = (server.address() as AddressInfo).port
  const apiUrl = config.publicApiUrl.replace(`:${config.apiPort}/`, `:${apiPort}/`)
  rememberEndpoints(config.dataDir, { api: apiUrl, edge: `http://${config.host}:${edge.port}` })
  log.info({ apiUrl }, 'API listening')

  let stopped = false
  return {
    apiUrl,
    apiPort,
    edgePort: edge.port,
    https: https && { port: https.port, devCaPath: https.devCaPath, renewDue: () => https!.renewDue() },
    credentials,
    store,
    edge,
    tails,
    scheduler,
    queueConsumers: queueConsumers!,
    queueMeter,
    storageSampler,
    async stop() {
      if (stopped) return
      stopped = true
      await scheduler.stop()
      await queueConsumers?.stop()
      await https?.stop()
      // Upgraded sockets keep server.close() waiting, so tails go first.
      tails.closeAll()
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      if ('closeAllConnections' in server) server.closeAllConnections()
      await closed
      objectAlarms?.stop()
      await stopDataPlane()
      sweeper.stop()
      // A clean stop hands this node's databases over at once (no wait for the lease to run out).
      await cluster?.placement.stop().catch((err: unknown) => log.warn({ err }, 'releasing placement leases failed'))
      await d1.close()
      lifecycle.stop()
      storageSampler.stop()
      await store.close()
      lock.release()
    },
  }
}

interface DataPlaneDeps {
  store: Store
  /** D1 databases, for the binding's internal route. */
  d1: D1Service
  /** Opens sealed secrets on their way to workerd (descriptors, upload checks). */
  keyring: Keyring
  log: Logger
  clock: Clock
  config: Config
  /** Where the internal API's latency goes. */
  metrics: PlatformMetrics
  /** The edge's listening socket, bound already (see EdgeDeps.socket). */
  socket: EdgeSocket
  /** Whether a live tail reads a script; asked when the host describes it. */
  isTailed(ref: { accountId: string; namespaceId: string; script: string }): boolean
  /** The queue service the producer binding sends through. */
  queues: QueueService
  /** Queue operations per script, drained into the usage records. */
  queueMeter: QueueMeter
  /** Told of the binding reads the edge may cache. */
  kvReads: KvReadHorizon
  /** Several nodes: where Durable Objects live (absent on SQLite). */
  objects?: ObjectPlacement
}

/**
 * The edge and the internal API its workerd processes call: what they share (the per-boot secret,
 * trace events, invocation counters, containment) is built here and handed to both.
 */
async function startDataPlane(deps: DataPlaneDeps): Promise<{ edge: Edge; stop(): Promise<void> }> {
  const { store, log, clock, config } = deps
  const secret = secretToken()
  const events = new EventHub()
  const invocations = new InvocationLog({
    store: store.invocations,
    log: log.child({ component: 'invocation-log' }),
    now: () => clock.now(),
    options: { retentionMs: config.logRetentionDays * 86_400_000, retentionBytes: Math.round(config.logRetentionMb * 1024 * 1024) },
  })
  const usage = new UsageRecorder({
    store: store.usage,
    log: log.child({ component: 'usage' }),
    now: () => clock.now(),
    options: { flushIntervalMs: config.usageFlushSeconds * 1000, retentionMs: config.usageRetentionDays * 86_400_000 },
  })
  if (config.usageMetering) {
    usage.pullFrom(() => deps.queueMeter.drainUsage())
    deps.queueMeter.reportPerQueue(usage)
  }
  const containment = new Containment({ coolDownMs: config.coolDownMs })
  const sampling = new LogSampling(config.logSampleRate)
  const internalApi = createInternalApi({
    store,
    d1: deps.d1,
    ...(config.usageMetering ? { usage } : {}),
    keyring: deps.keyring,
    log,
    clock,
    secret,
    cache: responseCacheFor(config, clock),
    edgeDomain: config.edgeDomain,
    ...(config.httpsPort !== undefined ? { httpsPort: config.httpsPort } : {}),
    containment: () => containment.state(),
    isTailed: deps.isTailed,
    queues: deps.queues,
    sampling,
    observe: (route, seconds) => deps.metrics.observeInternalApi(route, seconds),
    kvReads: deps.kvReads,
    ...(deps.objects ? { objects: deps.objects } : {}),
    onEvents: (batch) => {
      const ref = { accountId: batch.accountId, namespaceId: batch.namespaceId, script: batch.script }
      const withRays = (batch.events as TraceEvent[]).map(withRayId)
      events.publish(ref, withRays)
      if (sampling.keeps(ref)) invocations.append(ref, withRays)
    },
  })
  const internal = await serveInternalApi(internalApi.fetch)
  let edge: Edge
  try {
    edge = await startEdge({ store, keyring: deps.keyring, log, clock, config, internal: { port: internal.port, secret }, events, invocations, usage, containment, socket: deps.socket })
  } catch (err) {
    await internal.close()
    throw err
  }
  return {
    edge,
    async stop() {
      await edge.stop()
      await internal.close()
    },
  }
}

/**
 * This node's side of placement: a node id new at each start (a restarted node rebuilds what it
 * takes from the store), the address other nodes call it at, and the signed channel between them.
 */
function placementOf(config: Config, store: Store, keyring: Keyring, clock: Clock, apiPort: number): D1Cluster {
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host
  const address = config.nodeUrl ?? `http://${host.includes(':') ? `[${host}]` : host}:${apiPort}`
  const node = `${hostname()}-${secretToken().slice(0, 8)}`
  return {
    placement: new Placement({ store: store.placement, node, address, clock, leaseMs: config.placementLeaseMs }),
    replica: new PageReplica({ store: store.placement }),
    // A forwarded call may run for as long as a query may, plus the trip.
    client: new ClusterClient({ keys: clusterKeys(keyring), clock, timeoutMs: D1_LIMITS.queryTimeoutMs + 10_000 }),
  }
}

/** The Cache API's storage for loaded Workers, sized from `cacheMemoryMb`. */
function responseCacheFor(config: Pick<Config, 'cacheMemoryMb'>, clock: Clock): ResponseCache {
  const cacheBytes = config.cacheMemoryMb * 1024 * 1024
  // One tenant's space may take a quarter of the cache, one entry as much (never more than
  // Cloudflare's 512 MB object limit).
  const maxSpaceBytes = Math.floor(cacheBytes / 4)
  const maxEntryBytes = Math.min(maxSpaceBytes, 512 * 1024 * 1024)
  return new ResponseCache({ maxBytes: cacheBytes, maxSpaceBytes, maxEntryBytes, clock })
}

/**
 * Changes reach this node's edge before the API answers, and other nodes sharing the store through
 * its change feed (moments later: cross-node invalidation is asynchronous).
 */
function sharedNotifier(edge: Edge, store: Store): EdgeNotifier {
  const feed = store.changes
  if (!feed) return edge.notifier
  feed.subscribe((change) => {
    if (change.kind === 'script') void edge.notifier.scriptChanged(change)
    else if (change.kind === 'routes') void edge.notifier.routesChanged()
    else if (change.kind === 'everything') void edge.notifier.everythingChanged()
    // 'containment' is the edge's own business (src/runtime/shared-containment.ts).
  })
  return {
    async scriptChanged(change) {
      await edge.notifier.scriptChanged(change)
      await feed.publish({ kind: 'script', ...change })
    },
    async routesChanged() {
      await edge.notifier.routesChanged()
      await feed.publish({ kind: 'routes' })
    },
    everythingChanged: () => edge.notifier.everythingChanged(),
    // Objects live on this node (placement across nodes is not built yet).
    objectsDeleted: (ids) => edge.notifier.objectsDeleted(ids),
    // Other nodes' read caches expire by `cacheTtl`, as Cloudflare's KV is eventually consistent.
    kvChanged: (change) => edge.notifier.kvChanged(change),
  }
}

/**
 * The API's port, bound before the API exists; `serve` hands it the API (until then: 503). Idle and
 * slow clients cannot hold it: headers must arrive within `apiHeadersTimeoutMs`, a request within
 * `apiRequestTimeoutMs`, and it holds at most `apiMaxConnections` connections, well below the
 * process's open-file limit, so descriptors stay for the internal API, the store and workerd.
 */
async function bindApi(config: Config): Promise<{ server: ServerType; serve(fetch: FetchCallback): ServerType }> {
  const { host, apiPort: port } = config
  let handler: FetchCallback | undefined
  const server = createAdaptorServer({
    fetch: (req, env) => (handler ? handler(req, env) : new Response('Workerhive is starting', { status: 503 })),
    serverOptions: {
      headersTimeout: config.apiHeadersTimeoutMs,
      requestTimeout: Math.max(config.apiRequestTimeoutMs, config.apiHeadersTimeoutMs),
      keepAliveTimeout: config.apiKeepAliveTimeoutMs,
      // How often expired connections are looked for: the timeouts are only as exact as this.
      connectionsCheckingInterval: Math.min(1000, config.apiHeadersTimeoutMs),
    },
  })
  server.maxConnections = config.apiMaxConnections ?? defaultApiConnections()
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(explainBindFailure(err, host, port, '--api-port')))
    server.listen(port, host, () => resolve())
  })
  return {
    server,
    serve(fetch) {
      handler = fetch
      return server
    },
  }
}

/** A quarter of the open-file limit: the rest is for the edge's loopback traffic, storage and workerd. */
function defaultApiConnections(): number {
  return Math.max(64, Math.floor((openFileLimit() ?? 4096) / 4))
}

type FetchCallback = Parameters<typeof createAdaptorServer>[0]['fetch']

function explainBind<T>(bind: () => T, host: string, port: number, flag: string): T {
  try {
    return bind()
  } catch (err) {
    throw explainBindFailure(err, host, port, flag)
  }
}

function explainBindFailure(err: unknown, host: string, port: number, flag: string): unknown {
  const code = (err as NodeJS.ErrnoException).code
  if (code === 'EADDRINUSE')
    return new StartupError(`${host}:${port} is already in use (another Workerhive?); stop what listens there or pass another ${flag}`)
  if (code === 'EACCES') return new StartupError(`no permission to listen on ${host}:${port}; pass a port above 1023 with ${flag}`)
  if (code === 'EADDRNOTAVAIL') return new StartupError(`${host} is not an address of this machine; pass another --host`)
  return err
}

/** Opens the store, with a database that cannot be opened said in one sentence naming its path. */
async function openDataStore(config: Config, clock: Clock): Promise<Store> {
  try {
    return await openStore(config, clock)
  } catch (err) {
    const failure = storageFailureOf(err)
    if (!failure) throw err
    const where = config.storage === 'sqlite' ? sqliteFile(config.dataDir) : 'the PostgreSQL database'
    throw new StartupError(explainStorageFailure(failure, where))
  }
}

function explainStartupFailure(err: unknown, config: Config): unknown {
  if (err instanceof SecretsKeyError || err instanceof CredentialsMismatchError) return new StartupError(err.message)
  const failure = storageFailureOf(err)
  if (failure && !(err instanceof StartupError)) return new StartupError(explainStorageFailure(failure, config.dataDir))
  if (!(err instanceof LockHeldError)) return err
  const holder = err.pid === undefined ? '' : ` (pid ${err.pid})`
  return new StartupError(`the data dir ${config.dataDir} is in use by a running Workerhive${holder}; stop it first, or pass another --data-dir`)
}

function closeServer(server: ServerType): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()))
  if ('closeAllConnections' in server) server.closeAllConnections()
  return closed
}
