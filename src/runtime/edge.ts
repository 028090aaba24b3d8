import { serve, type ServerType } from '@hono/node-server'
import { mkdirSync, writeFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import type { EdgeNotifier } from '../api/context.js'
import { createInternalApi } from '../api/internal/server.js'
import type { Config } from '../config/config.js'
import { HEADER_INTERNAL_SECRET } from '../host/shared/headers.js'
import { CONTROL } from '../host/shared/protocol.js'
import type { Store } from '../storage/store.js'
import { secretToken } from '../util/ids.js'
import type { Logger } from '../util/logger.js'
import { bindEdgeSocket, type EdgeSocket } from './edge-socket.js'
import { Supervisor, type EdgeProcess } from './supervisor.js'
import { workerdConfig } from './workerd-config.js'

export interface EdgeDeps {
  store: Store
  log: Logger
  config: Pick<Config, 'dataDir' | 'host' | 'edgePort' | 'edgeDomain' | 'edgeProcesses'>
}

export interface Edge {
  readonly port: number
  readonly notifier: EdgeNotifier
  processes(): EdgeProcess[]
  /** SIGKILL one workerd process (it is restarted); for operators and tests. */
  kill(index: number): void
  stop(): Promise<void>
}

/**
 * The data plane: Node binds the edge socket and serves the internal API; N workerd processes run
 * the host worker, accept edge connections themselves (Node is never in the request path), and
 * load customers' Workers on demand through the Worker Loader.
 */
export async function startEdge(deps: EdgeDeps): Promise<Edge> {
  const { store, log, config } = deps
  const secret = secretToken()
  const internal = createInternalApi({
    store,
    log,
    secret,
    edgeDomain: config.edgeDomain,
    onEvents: (batch) => {
      for (const e of batch.events) log.debug({ script: batch.script, namespace: batch.namespaceId, event: e }, 'worker event')
    },
  })
  const internalServer = await listen(internal.fetch)
  const internalPort = (internalServer.address() as AddressInfo).port

  let socket: EdgeSocket | undefined
  let supervisor: Supervisor | undefined
  try {
    socket = bindEdgeSocket(config.host, config.edgePort)
    const runtimeDir = join(config.dataDir, 'runtime')
    mkdirSync(runtimeDir, { recursive: true })
    const configPath = (index: number): string => {
      const path = join(runtimeDir, `workerd-${index}.capnp`)
      writeFileSync(path, workerdConfig({ configDir: runtimeDir, internalPort, edgeDomain: config.edgeDomain, processIndex: index, heapMb: 128 }))
      return path
    }
    supervisor = new Supervisor({
      count: config.edgeProcesses,
      edgeFd: socket.fd,
      configPath,
      env: { WORKERHIVE_INTERNAL_SECRET: secret },
      log: log.child({ component: 'supervisor' }),
    })
    await supervisor.start()
  } catch (err) {
    await supervisor?.stop()
    socket?.close()
    internalServer.close()
    throw err
  }
  const sup = supervisor
  const edgeSocket = socket
  log.info({ port: edgeSocket.port, processes: config.edgeProcesses }, 'edge listening')

  const broadcast = async (body: unknown): Promise<void> => {
    const ready = sup.processes().filter((p) => p.state === 'ready' && p.controlPort)
    await Promise.all(
      ready.map(async (p) => {
        try {
          const res = await fetch(`http://127.0.0.1:${p.controlPort}${CONTROL.invalidate}`, {
            method: 'POST',
            headers: { [HEADER_INTERNAL_SECRET]: secret, 'content-type': 'application/json' },
            body: JSON.stringify(body),
            signal: AbortSignal.timeout(2000),
          })
          await res.body?.cancel()
        } catch (err) {
          // A process that cannot take the message is stuck or dying; the watchdog replaces it,
          // and a fresh process starts with empty caches.
          log.warn({ err, workerd: p.index }, 'could not invalidate a workerd process')
        }
      }),
    )
  }

  return {
    port: edgeSocket.port,
    notifier: {
      scriptChanged: (change) =>
        broadcast({ scripts: [{ accountId: change.accountId, namespaceId: change.namespaceId ?? '', name: change.name }] }),
      routesChanged: () => broadcast({ routes: true }),
    },
    processes: () => sup.processes(),
    kill: (index) => sup.kill(index),
    async stop() {
      await sup.stop()
      edgeSocket.close()
      await new Promise<void>((resolve) => internalServer.close(() => resolve()))
    },
  }
}

function listen(fetch: Parameters<typeof serve>[0]['fetch']): Promise<ServerType> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(server))
    server.once('error', reject)
  })
}
