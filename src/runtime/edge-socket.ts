import net from 'node:net'
import util from 'node:util'

/**
 * The edge's listening address, bound by Node but never accepted on by Node: each workerd process
 * inherits the descriptor, calls listen() on it and accepts from the one shared queue. A stuck or
 * restarting process then simply stops taking connections while the others keep serving, and
 * connections waiting in the backlog are not lost when a process dies.
 */
export interface EdgeSocket {
  fd: number
  port: number
  /** Idempotent. */
  close(): void
}

interface BoundHandle {
  fd: number
  getsockname(out: { port?: number }): number
  close(): void
}

// net._createServerHandle binds without listening (what Node's cluster primary uses); public
// net.Server APIs always start accepting in this process, which would steal connections.
type CreateServerHandle = (address: string, port: number, addressType: number, fd: undefined, flags: number) => BoundHandle | number

export function bindEdgeSocket(host: string, port: number): EdgeSocket {
  const create = (net as unknown as { _createServerHandle: CreateServerHandle })._createServerHandle
  const family = net.isIPv6(host) ? 6 : 4
  const handle = create(host, port, family, undefined, 0)
  const failed = (errno: number) => {
    const code = util.getSystemErrorName(errno)
    return Object.assign(new Error(`cannot bind the edge to ${host}:${port} (${code})`), { code })
  }
  if (typeof handle === 'number') throw failed(handle)
  // libuv defers EADDRINUSE from bind() to the next call on the handle: getsockname reports it.
  // Unnoticed, workerd's listen() would bind the unbound socket to a random port.
  const out: { port?: number } = {}
  const errno = handle.getsockname(out)
  if (errno !== 0) {
    handle.close()
    throw failed(errno)
  }
  let closed = false
  const close = () => {
    if (closed) return
    closed = true
    handle.close()
  }
  return { fd: handle.fd, port: out.port!, close }
}
