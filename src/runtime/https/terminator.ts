import http2, { type Http2ServerRequest, type Http2ServerResponse } from 'node:http2'
import net from 'node:net'
import tls from 'node:tls'
import { pipeline } from 'node:stream/promises'
import { Pool } from 'undici'
import type { Logger } from '../../util/logger.js'
import type { EdgeCertificates } from './edge-certificates.js'

/**
 * The edge's HTTPS listener: Node terminates TLS, picking each connection's certificate by SNI, and
 * hands the plaintext to workerd's `tls` socket (where requests are seen as `https:`). HTTP/1.1
 * connections are piped byte for byte, so Node does no HTTP work for them; HTTP/2 (ALPN h2), which
 * workerd does not speak, is served by Node's http2 and each stream forwarded as an HTTP/1.1
 * request over a pool of kept-alive connections. Bound before the edge starts (like the edge port);
 * connections wait for `serve()`.
 */
export interface HttpsListener {
  readonly port: number
  /** Starts handing connections to workerd's plaintext side. */
  serve(target: { plainPort: number; certificates: EdgeCertificates }): void
  close(): Promise<void>
}

/** Hop-by-hop headers (RFC 9110 §7.6.1) and HTTP/2's, which never cross to the other protocol. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'http2-settings', 'host'])

export async function listenHttps(opts: { host: string; port: number; log: Logger }): Promise<HttpsListener> {
  const { log } = opts
  let target: { plainPort: number; certificates: EdgeCertificates } | undefined
  let pool: Pool | undefined
  const sockets = new Set<net.Socket>()

  const server = tls.createServer({
    ALPNProtocols: ['h2', 'http/1.1'],
    minVersion: 'TLSv1.2',
    // A client that opens a connection and never finishes its handshake does not hold it long.
    handshakeTimeout: 10_000,
    SNICallback: (servername, done) => {
      if (!target) return done(new Error('not serving yet'))
      target.certificates.context(servername).then(
        (context) => (context ? done(null, context) : done(new Error(`no certificate for ${servername}`))),
        (err: Error) => done(err),
      )
    },
  })
  const h2 = http2.createServer({}, (req, res) => void forwardStream(req, res))

  server.on('secureConnection', (socket) => {
    if (!target) return socket.destroy()
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
    if (socket.alpnProtocol === 'h2') {
      h2.emit('connection', socket)
      return
    }
    const upstream = net.connect(target.plainPort, '127.0.0.1')
    upstream.setNoDelay(true)
    socket.setNoDelay(true)
    const end = () => {
      socket.destroy()
      upstream.destroy()
    }
    socket.on('error', end).on('close', end)
    upstream.on('error', end).on('close', end)
    socket.pipe(upstream)
    upstream.pipe(socket)
  })
  // Handshakes that fail (no certificate for the name, a scanner) are the client's business.
  server.on('tlsClientError', (err) => log.debug({ err: err.message }, 'TLS handshake failed'))

  async function forwardStream(req: Http2ServerRequest, res: Http2ServerResponse): Promise<void> {
    const headers: Record<string, string | string[]> = { host: req.authority }
    for (const [name, value] of Object.entries(req.headers)) {
      if (name.startsWith(':') || HOP_BY_HOP.has(name) || value === undefined) continue
      headers[name] = value
    }
    const bodyless = req.method === 'GET' || req.method === 'HEAD'
    try {
      const answer = await pool!.request({
        method: req.method as 'GET',
        path: req.url,
        headers,
        body: bodyless ? null : req,
      })
      const out: Record<string, string | string[]> = {}
      for (const [name, value] of Object.entries(answer.headers)) {
        if (!HOP_BY_HOP.has(name) && value !== undefined) out[name] = value
      }
      res.writeHead(answer.statusCode, out)
      await pipeline(answer.body, res)
    } catch (err) {
      log.debug({ err }, 'an HTTP/2 stream could not be forwarded to the edge')
      if (!res.headersSent) {
        res.writeHead(502)
        res.end()
      } else res.stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR)
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const port = (server.address() as net.AddressInfo).port
  return {
    port,
    serve(t) {
      target = t
      pool = new Pool(`http://127.0.0.1:${t.plainPort}`, { connections: 128, pipelining: 1 })
    },
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      for (const s of sockets) s.destroy()
      await closed
      await pool?.close()
    },
  }
}
