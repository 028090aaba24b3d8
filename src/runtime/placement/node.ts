import { randomUUID } from 'node:crypto'
import { join } from 'node:path'
import type { Config } from '../../config/config.js'
import type { Keyring } from '../../secrets/sealer.js'
import type { Store } from '../../storage/store.js'
import type { Clock } from '../../util/clock.js'
import type { Logger } from '../../util/logger.js'
import { ClusterClient, ClusterRoutes, clusterKeys } from './cluster.js'
import { ObjectPlacement } from './objects.js'
import { PageReplica } from './pages.js'
import { Placement } from './placement.js'

export interface NodePlacementDeps {
  config: Pick<Config, 'dataDir' | 'host' | 'nodeUrl' | 'placementLeaseMs'>
  store: Store
  keyring: Keyring
  clock: Clock
  log: Logger
  /** The API port, bound already: other nodes call this node's cluster routes there. */
  apiPort: number
}

/** This node's side of placement on a shared store: leases, calls between nodes, replication. */
export interface NodePlacement {
  readonly routes: ClusterRoutes
  readonly objects: ObjectPlacement
  /** How forwarded object calls reach this node's objects process, once the edge runs. */
  attachObjects(call: (path: string, init: RequestInit) => Promise<Response>): void
  /** Stops renewing and gives every lease up (after the edge stopped: no call runs here any more). */
  stop(): Promise<void>
}

/** Between nodes a call waits this long for the owner before the caller gives up. */
const CLUSTER_CALL_TIMEOUT_MS = 30_000

/**
 * One Placement, one channel and one replica per node (PostgreSQL only; one node on SQLite owns
 * everything). A node is a fresh lease holder at each start: after a kill -9 its old leases run
 * out (one term) before anyone, itself included, takes them again.
 */
export function startNodePlacement(deps: NodePlacementDeps): NodePlacement {
  const { config, store, keyring, clock, log } = deps
  const keys = clusterKeys(keyring)
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host
  const address = config.nodeUrl ?? `http://${host.includes(':') ? `[${host}]` : host}:${deps.apiPort}`
  const placement = new Placement({ store: store.placement, node: randomUUID(), address, clock, leaseMs: config.placementLeaseMs })
  const routes = new ClusterRoutes(keys, clock)
  const client = new ClusterClient({ keys, clock, timeoutMs: CLUSTER_CALL_TIMEOUT_MS })
  let objectsCall: ((path: string, init: RequestInit) => Promise<Response>) | undefined
  const objects = new ObjectPlacement({
    placement,
    replica: new PageReplica({ store: store.placement }),
    client,
    objectsDir: join(config.dataDir, 'objects', 'workerhive-objects'),
    bundleDir: join(config.dataDir, 'objects-replica'),
    objectsCall: (path, init) => (objectsCall ? objectsCall(path, init) : Promise.resolve(new Response('starting', { status: 503 }))),
    log: log.child({ component: 'objects-placement' }),
  })
  objects.mount(routes)
  placement.start((err) => log.warn({ err }, 'could not renew placement leases'))
  return {
    routes,
    objects,
    attachObjects(call) {
      objectsCall = call
    },
    stop: () => placement.stop(),
  }
}
