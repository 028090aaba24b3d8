import { STATUS_CODES, type IncomingMessage } from 'node:http'
import { Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import { fail } from '../envelope.js'
import { authenticationError, invalidInput, noRoute, tailNotFound, type ApiError } from '../../domain/errors.js'
import type { Logger } from '../../util/logger.js'
import type { TailSessions } from './sessions.js'
import { acceptKey, isValidKey } from './websocket.js'

/** The subprotocol of Cloudflare's tail sockets; wrangler aborts unless the 101 names it. */
export const TRACE_PROTOCOL = 'trace-v1'

const SOCKET_PATH = /\/tails\/([0-9a-f]{32})\/socket$/

/**
 * The API server's `upgrade` handler: opens the WebSocket of a tail session. The URL's one-time
 * token is the credential (wrangler sends no Authorization header here, as with Cloudflare's tail
 * host); everything else is refused with an envelope, like any API answer.
 */
export function handleTailUpgrade(
  deps: { sessions: TailSessions; log: Logger },
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
): void {
  // The server stops watching a socket it hands over: an error here must not become an uncaught one.
  socket.on('error', () => socket.destroy())
  try {
    openTailSocket(deps.sessions, req, socket, head)
  } catch (err) {
    deps.log.error({ err, path: req.url }, 'tail socket upgrade failed')
    socket.destroy()
  }
}

function openTailSocket(sessions: TailSessions, req: IncomingMessage, socket: Duplex, head: Buffer): void {
  const url = new URL(req.url ?? '/', 'http://upgrade.invalid')
  const match = SOCKET_PATH.exec(url.pathname)
  if (!match) return refuse(socket, noRoute())
  const key = req.headers['sec-websocket-key']
  const upgrade = (req.headers.upgrade ?? '').toLowerCase()
  if (req.method !== 'GET' || upgrade !== 'websocket' || !isValidKey(key))
    return refuse(socket, invalidInput('Expected a WebSocket upgrade request'))
  if (req.headers['sec-websocket-version'] !== '13')
    return refuse(socket, invalidInput('Unsupported WebSocket version; use 13'), ['Sec-WebSocket-Version: 13'])

  const claimed = sessions.claim(match[1]!, url.pathname, url.searchParams.get('token') ?? '')
  if (!claimed.ok) return refuse(socket, claimed.reason === 'unknown' ? tailNotFound(match[1]!) : authenticationError())

  const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim())
  const lines = [
    'HTTP/1.1 101 Switching Protocols',
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Accept: ${acceptKey(key.trim())}`,
    ...(offered.includes(TRACE_PROTOCOL) ? [`Sec-WebSocket-Protocol: ${TRACE_PROTOCOL}`] : []),
  ]
  // Events are small and should show up in the terminal as they happen.
  if (socket instanceof Socket) socket.setNoDelay(true)
  socket.write(lines.join('\r\n') + '\r\n\r\n')
  sessions.attach(claimed.id, socket, head)
}

function refuse(socket: Duplex, err: ApiError, extraHeaders: string[] = []): void {
  const body = JSON.stringify(fail(err.toCfErrors()))
  const lines = [
    `HTTP/1.1 ${err.status} ${STATUS_CODES[err.status] ?? 'Error'}`,
    'Connection: close',
    'Content-Type: application/json',
    `Content-Length: ${Buffer.byteLength(body)}`,
    ...extraHeaders,
  ]
  socket.end(lines.join('\r\n') + '\r\n\r\n' + body)
}
