import { serve, type ServerType } from '@hono/node-server'
import type { AddressInfo } from 'node:net'
import { createApi } from './api/app.js'
import type { EdgeNotifier } from './api/context.js'
import { TailSessions } from './api/tail/sessions.js'
import { handleTailUpgrade } from './api/tail/upgrade.js'
import { createKvService } from './kv/service.js'
import { startExpirySweeper } from './kv/sweeper.js'
import { startEdge, type Edge } from './runtime/edge.js'
import { ensureFirstAccount, type Credentials } from './bootstrap.js'
import type { Config } from './config/config.js'
import { openStore } from './storage/open.js'
import type { Store } from './storage/store.js'
import { systemClock, type Clock } from './util/clock.js'
import { createLogger, type Logger } from './util/logger.js'

export interface Platform {
  readonly apiUrl: string
  readonly apiPort: number
  readonly edgePort: number
  readonly credentials: Credentials
  readonly store: Store
  readonly edge: Edge
  readonly tails: TailSessions
  stop(): Promise<void>
}

export interface PlatformOptions {
  log?: Logger
  clock?: Clock
}

/** `workerhive start`: open storage, make sure an account exists, start the API and the edge. */
export async function startPlatform(config: Config, opts: PlatformOptions = {}): Promise<Platform> {
  const log = opts.log ?? createLogger(config.logLevel)
  const clock = opts.clock ?? systemClock
  const store = await openStore(config, clock)
  const credentials = await ensureFirstAccount(store, config.dataDir)
  // Reads already hide and purge expired KV entries; this reclaims the ones nobody reads again.
  const sweeper = startExpirySweeper(createKvService({ store: store.kv, clock }), { log })
  // Tails exist only once the edge does (they read its events), but the edge asks about them.
  let tails: TailSessions | undefined
  const edge = await startEdge({ store, log, clock, config, isTailed: (ref) => tails?.isTailed(ref) ?? false })
  const notifier = sharedNotifier(edge, store)
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
    events: edge.events,
    tails,
    startup: edge.startup,
    status: () => ({
      sandbox: edge.sandbox,
      processes: edge.processes().map((p) => ({ index: p.index, role: p.role, state: p.state, restarts: p.restarts, ...(p.pid ? { pid: p.pid } : {}) })),
      watchdog: { kills: edge.watchdog.kills, recycles: edge.watchdog.recycles },
      containment: edge.watchdog.containment.entries(),
    }),
  })
  const server = await listen(api.fetch, config.host, config.apiPort)
  // Tail sockets are the API's only WebSockets; hono's node server leaves upgrades to us.
  server.on('upgrade', (req, socket, head) => handleTailUpgrade({ sessions: tails, log }, req, socket, head))
  const apiPort = (server.address() as AddressInfo).port
  const apiUrl = config.publicApiUrl.replace(`:${config.apiPort}/`, `:${apiPort}/`)
  log.info({ apiUrl }, 'API listening')

  let stopped = false
  return {
    apiUrl,
    apiPort,
    edgePort: edge.port,
    credentials,
    store,
    edge,
    tails,
    async stop() {
      if (stopped) return
      stopped = true
      // Upgraded sockets keep server.close() waiting, so tails go first.
      tails.closeAll()
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      if ('closeAllConnections' in server) server.closeAllConnections()
      await closed
      await edge.stop()
      sweeper.stop()
      await store.close()
    },
  }
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
    else void edge.notifier.everythingChanged()
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
  }
}

function listen(fetch: Parameters<typeof serve>[0]['fetch'], hostname: string, port: number): Promise<ServerType> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch, hostname, port }, () => resolve(server))
    server.once('error', reject)
  })
}
