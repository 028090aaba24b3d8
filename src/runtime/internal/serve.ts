import { serve } from '@hono/node-server'
import type { AddressInfo } from 'node:net'

export interface InternalServer {
  readonly port: number
  close(): Promise<void>
}

const INTERNAL_MAX_CONNECTIONS = 4096

/** Serves the internal API on a loopback port: only the workerd processes of this node reach it. */
export function serveInternalApi(fetch: Parameters<typeof serve>[0]['fetch']): Promise<InternalServer> {
  return new Promise((resolve, reject) => {
    // Large headers are legitimate here: a cached response's head travels in one (CACHE_HEADERS.head).
    const server = serve({ fetch, hostname: '127.0.0.1', port: 0, serverOptions: { maxHeaderSize: 1024 * 1024 } }, () =>
      resolve({
        port: (server.address() as AddressInfo).port,
        close: () => new Promise<void>((done) => server.close(() => done())),
      }),
    )
    // Its own cap, apart from the public API's: only this node's workerd processes connect, each
    // with a bounded pool, so far fewer than this means something is wrong, not busy.
    server.maxConnections = INTERNAL_MAX_CONNECTIONS
    server.once('error', reject)
  })
}
