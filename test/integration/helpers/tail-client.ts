import { createHash, randomBytes } from 'node:crypto'
import { connect, type Socket } from 'node:net'
import { WebSocket } from 'undici'
import { FrameReader, type Frame } from '../../../src/api/tail/websocket.js'

/** A standard (masking) WebSocket client on a tail URL, collecting the events it receives. */
export interface TailClient {
  messages: Array<Record<string, unknown>>
  /** Resolves once `count` messages have arrived. */
  received(count: number): Promise<void>
  closed: Promise<{ code: number; reason: string }>
  socket: WebSocket
}

export async function openTail(url: string): Promise<TailClient> {
  const socket = new WebSocket(url, 'trace-v1')
  const messages: Array<Record<string, unknown>> = []
  const waiters: Array<{ count: number; resolve: () => void }> = []
  socket.addEventListener('message', (e) => {
    messages.push(JSON.parse(String(e.data)))
    for (const w of waiters.filter((w) => messages.length >= w.count)) w.resolve()
  })
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.addEventListener('close', (e) => resolve({ code: e.code, reason: e.reason })),
  )
  await new Promise((resolve, reject) => {
    socket.addEventListener('open', resolve)
    socket.addEventListener('error', () => reject(new Error(`could not open ${url}`)))
  })
  return {
    messages,
    socket,
    closed,
    received: (count) =>
      messages.length >= count ? Promise.resolve() : new Promise((resolve) => waiters.push({ count, resolve })),
  }
}

export interface RawResponse {
  status: number
  headers: Record<string, string>
  body: string
}

/**
 * A hand-driven client for what standard clients will not do: frames without a mask (wrangler's
 * first frame), odd handshakes. Reads the server's answer, then its frames one by one.
 */
export class RawClient {
  readonly #socket: Socket
  readonly #reader = new FrameReader(1 << 20)
  readonly #frames: Frame[] = []
  readonly #waiters: Array<(f: Frame) => void> = []
  #head = Buffer.alloc(0)
  #response?: Promise<RawResponse>
  readonly ended: Promise<void>

  private constructor(socket: Socket) {
    this.#socket = socket
    this.ended = new Promise((resolve) => socket.once('close', () => resolve()))
  }

  /** Sends an upgrade request for `path` with `headers` (a `host` among them replaces the default) over a fresh TCP connection. */
  static async upgrade(port: number, path: string, headers: Record<string, string>): Promise<{ client: RawClient; response: RawResponse }> {
    const socket = connect(port, '127.0.0.1')
    await new Promise((resolve) => socket.once('connect', resolve))
    const client = new RawClient(socket)
    const ownHost = Object.keys(headers).some((k) => k.toLowerCase() === 'host')
    const lines = [`GET ${path} HTTP/1.1`, ...(ownHost ? [] : [`Host: 127.0.0.1:${port}`]), ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)]
    socket.write(lines.join('\r\n') + '\r\n\r\n')
    return { client, response: await client.#readResponse() }
  }

  #readResponse(): Promise<RawResponse> {
    this.#response ??= new Promise((resolve) => {
      const onData = (chunk: Buffer) => {
        this.#head = Buffer.concat([this.#head, chunk])
        const end = this.#head.indexOf('\r\n\r\n')
        if (end < 0) return
        const [statusLine, ...headerLines] = this.#head.subarray(0, end).toString().split('\r\n')
        const headers: Record<string, string> = {}
        for (const line of headerLines) {
          const i = line.indexOf(':')
          headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim()
        }
        const status = Number(statusLine!.split(' ')[1])
        const rest = this.#head.subarray(end + 4)
        this.#socket.off('data', onData)
        if (status === 101) {
          this.#socket.on('data', (c: Buffer) => this.#push(c))
          if (rest.length) this.#push(rest)
          resolve({ status, headers, body: '' })
          return
        }
        // Refusals close the connection after their envelope.
        let body = rest.toString()
        this.#socket.on('data', (c: Buffer) => (body += c.toString()))
        this.#socket.once('end', () => resolve({ status, headers, body }))
      }
      this.#socket.on('data', onData)
    })
    return this.#response
  }

  #push(chunk: Buffer): void {
    for (const frame of this.#reader.push(chunk)) {
      const waiter = this.#waiters.shift()
      if (waiter) waiter(frame)
      else this.#frames.push(frame)
    }
  }

  nextFrame(): Promise<Frame> {
    const frame = this.#frames.shift()
    return frame ? Promise.resolve(frame) : new Promise((resolve) => this.#waiters.push(resolve))
  }

  send(opcode: number, payload: Buffer | string, { mask }: { mask: boolean }): void {
    this.#socket.write(clientFrame(opcode, Buffer.from(payload), mask))
  }

  destroy(): void {
    this.#socket.destroy()
  }
}

/** A single-frame client message, masked as RFC 6455 requires or not, as wrangler sometimes sends. */
export function clientFrame(opcode: number, payload: Buffer, mask: boolean): Buffer {
  if (payload.length > 125) throw new Error('test frames are small')
  const header = Buffer.from([0x80 | opcode, (mask ? 0x80 : 0) | payload.length])
  if (!mask) return Buffer.concat([header, payload])
  const key = randomBytes(4)
  const masked = Buffer.from(payload.map((b, i) => b ^ key[i & 3]!))
  return Buffer.concat([header, key, masked])
}

export const webSocketKey = (): string => randomBytes(16).toString('base64')

export const expectedAccept = (key: string): string =>
  createHash('sha1').update(key + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64')

export const upgradeHeaders = (key = webSocketKey()): Record<string, string> => ({
  Upgrade: 'websocket',
  Connection: 'Upgrade',
  'Sec-WebSocket-Key': key,
  'Sec-WebSocket-Version': '13',
  'Sec-WebSocket-Protocol': 'trace-v1',
})
