import { createHash } from 'node:crypto'
import type { Duplex } from 'node:stream'

/**
 * The server side of RFC 6455, just what tail sockets need: text frames out, close/ping/pong and
 * small text messages in. Written by hand rather than with the `ws` package because wrangler sends
 * its first frame unmasked, which RFC 6455 forbids and `ws` answers with close 1002; Cloudflare's
 * tail server accepts it, so this one accepts client frames masked or not.
 */

const HANDSHAKE_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11'

export const OPCODE = { continuation: 0x0, text: 0x1, binary: 0x2, close: 0x8, ping: 0x9, pong: 0xa } as const

export const CLOSE = {
  normal: 1000,
  goingAway: 1001,
  protocolError: 1002,
  tooBig: 1009,
} as const

/** The `Sec-WebSocket-Accept` answer to a client's `Sec-WebSocket-Key`. */
export const acceptKey = (key: string): string =>
  createHash('sha1').update(key + HANDSHAKE_GUID).digest('base64')

/** A key is the base64 of 16 bytes (RFC 6455 §4.1); anything else is not a WebSocket client. */
export const isValidKey = (key: string | undefined): key is string =>
  key !== undefined && /^[A-Za-z0-9+/]{22}==$/.test(key.trim())

/** One unmasked server frame (servers never mask, RFC 6455 §5.1). */
export function encodeFrame(opcode: number, payload: Buffer = Buffer.alloc(0)): Buffer {
  const length = payload.length
  const header =
    length < 126 ? Buffer.alloc(2) : length <= 0xffff ? Buffer.alloc(4) : Buffer.alloc(10)
  header[0] = 0x80 | opcode
  if (length < 126) header[1] = length
  else if (length <= 0xffff) {
    header[1] = 126
    header.writeUInt16BE(length, 2)
  } else {
    header[1] = 127
    header.writeBigUInt64BE(BigInt(length), 2)
  }
  return Buffer.concat([header, payload])
}

export const closePayload = (code: number, reason = ''): Buffer => {
  const out = Buffer.alloc(2 + Buffer.byteLength(reason))
  out.writeUInt16BE(code, 0)
  out.write(reason, 2)
  return out
}

export interface Frame {
  fin: boolean
  opcode: number
  payload: Buffer
}

/** Why a byte stream is not a WebSocket the server will keep talking to, with the close code to send. */
export class FrameError extends Error {
  constructor(
    readonly closeCode: number,
    message: string,
  ) {
    super(message)
  }
}

/** Splits a client's byte stream into frames, unmasking those that are masked. */
export class FrameReader {
  #buffer: Buffer = Buffer.alloc(0)
  readonly #maxPayload: number

  constructor(maxPayload: number) {
    this.#maxPayload = maxPayload
  }

  /** Every complete frame in the bytes received so far; keeps the rest for the next chunk. */
  push(chunk: Buffer): Frame[] {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk])
    const frames: Frame[] = []
    for (;;) {
      const frame = this.#next()
      if (!frame) return frames
      frames.push(frame)
    }
  }

  #next(): Frame | undefined {
    const buf = this.#buffer
    if (buf.length < 2) return undefined
    const b0 = buf[0]!
    const b1 = buf[1]!
    if (b0 & 0x70) throw new FrameError(CLOSE.protocolError, 'reserved bits set without a negotiated extension')
    const opcode = b0 & 0x0f
    const masked = (b1 & 0x80) !== 0
    let length = b1 & 0x7f
    if (opcode >= 0x8 && (length > 125 || !(b0 & 0x80)))
      throw new FrameError(CLOSE.protocolError, 'control frames are unfragmented and at most 125 bytes')
    let offset = 2
    if (length === 126) {
      if (buf.length < 4) return undefined
      length = buf.readUInt16BE(2)
      offset = 4
    } else if (length === 127) {
      if (buf.length < 10) return undefined
      const big = buf.readBigUInt64BE(2)
      if (big > BigInt(this.#maxPayload)) throw new FrameError(CLOSE.tooBig, 'frame too large')
      length = Number(big)
      offset = 10
    }
    if (length > this.#maxPayload) throw new FrameError(CLOSE.tooBig, 'frame too large')
    const maskEnd = offset + (masked ? 4 : 0)
    if (buf.length < maskEnd + length) return undefined
    const payload = Buffer.from(buf.subarray(maskEnd, maskEnd + length))
    if (masked) {
      const mask = buf.subarray(offset, maskEnd)
      for (let i = 0; i < payload.length; i++) payload[i]! ^= mask[i & 3]!
    }
    this.#buffer = buf.subarray(maskEnd + length)
    return { fin: (b0 & 0x80) !== 0, opcode, payload }
  }
}

export interface ConnectionOptions {
  /** Largest client message kept; tail clients only ever send a few bytes. */
  maxMessageBytes: number
  /** Above this many unsent bytes, outgoing messages are dropped rather than queued without bound. */
  maxBufferedBytes: number
  /** How long a close waits for the client's close frame before the TCP connection is cut. */
  closeTimeoutMs: number
}

export interface ConnectionHandlers {
  onText?(text: string): void
  /** Called once, when the TCP connection is gone for whatever reason. */
  onClosed(): void
}

/** An open server-side WebSocket over an upgraded socket. */
export class WebSocketConnection {
  readonly #socket: Duplex
  readonly #handlers: ConnectionHandlers
  readonly #options: ConnectionOptions
  readonly #reader: FrameReader
  /** The opcode of the message whose fragments are arriving, or null between messages. */
  #messageOpcode: number | null = null
  #fragments: Buffer[] = []
  #fragmentBytes = 0
  #state: 'open' | 'closing' | 'closed' = 'open'
  /** Set once the client broke the protocol: nothing more it sends is read. */
  #broken = false
  #dropped = 0
  #closeTimer?: NodeJS.Timeout

  constructor(socket: Duplex, head: Buffer, handlers: ConnectionHandlers, options: ConnectionOptions) {
    this.#socket = socket
    this.#handlers = handlers
    this.#options = options
    this.#reader = new FrameReader(options.maxMessageBytes)
    socket.on('data', (chunk: Buffer) => this.#receive(chunk))
    socket.on('error', () => socket.destroy())
    socket.once('close', () => {
      this.#state = 'closed'
      clearTimeout(this.#closeTimer)
      handlers.onClosed()
    })
    if (head.length > 0) this.#receive(head)
  }

  get isOpen(): boolean {
    return this.#state === 'open'
  }

  /** Messages dropped because the client read too slowly. */
  get dropped(): number {
    return this.#dropped
  }

  /** Sends one text frame; false when the socket is closing or the client has fallen too far behind. */
  sendText(text: string): boolean {
    if (this.#state !== 'open') return false
    if (this.#socket.writableLength > this.#options.maxBufferedBytes) {
      this.#dropped++
      return false
    }
    this.#socket.write(encodeFrame(OPCODE.text, Buffer.from(text)))
    return true
  }

  /** Starts the closing handshake; the connection ends when the client answers or after a timeout. */
  close(code: number, reason = ''): void {
    if (this.#state !== 'open') return
    this.#state = 'closing'
    this.#socket.write(encodeFrame(OPCODE.close, closePayload(code, reason)))
    this.#cutOffLater()
  }

  #receive(chunk: Buffer): void {
    if (this.#state === 'closed' || this.#broken) return
    let frames: Frame[]
    try {
      frames = this.#reader.push(chunk)
    } catch (e) {
      this.#fail(e instanceof FrameError ? e.closeCode : CLOSE.protocolError, (e as Error).message)
      return
    }
    for (const frame of frames) {
      if (this.#broken) return
      this.#handle(frame)
    }
  }

  #handle(frame: Frame): void {
    switch (frame.opcode) {
      case OPCODE.ping:
        if (this.#state === 'open') this.#socket.write(encodeFrame(OPCODE.pong, frame.payload))
        return
      case OPCODE.pong:
        return
      case OPCODE.close: {
        // Answer with the client's code (RFC 6455 §5.5.1), then let the TCP connection go.
        if (this.#state === 'open') {
          const code = frame.payload.length >= 2 ? frame.payload.readUInt16BE(0) : CLOSE.normal
          this.#state = 'closing'
          this.#socket.write(encodeFrame(OPCODE.close, closePayload(code)))
        }
        this.#endSoon()
        return
      }
      case OPCODE.text:
      case OPCODE.binary:
      case OPCODE.continuation:
        this.#collect(frame)
        return
      default:
        this.#fail(CLOSE.protocolError, `unknown opcode ${frame.opcode}`)
    }
  }

  #collect(frame: Frame): void {
    const starts = frame.opcode !== OPCODE.continuation
    if (starts !== (this.#messageOpcode === null)) {
      this.#fail(CLOSE.protocolError, 'unexpected continuation frame')
      return
    }
    if (starts) this.#messageOpcode = frame.opcode
    this.#fragmentBytes += frame.payload.length
    if (this.#fragmentBytes > this.#options.maxMessageBytes) {
      this.#fail(CLOSE.tooBig, 'message too large')
      return
    }
    this.#fragments.push(frame.payload)
    if (!frame.fin) return
    const opcode = this.#messageOpcode
    const message = Buffer.concat(this.#fragments)
    this.#messageOpcode = null
    this.#fragments = []
    this.#fragmentBytes = 0
    if (opcode === OPCODE.text && this.#state === 'open') this.#handlers.onText?.(message.toString('utf8'))
  }

  #fail(code: number, reason: string): void {
    this.#broken = true
    if (this.#state === 'open') {
      this.#state = 'closing'
      this.#socket.write(encodeFrame(OPCODE.close, closePayload(code, reason.slice(0, 120))))
    }
    this.#endSoon()
  }

  /** Ends our side; a client that never ends its side is cut off after the close timeout. */
  #endSoon(): void {
    this.#socket.end()
    this.#cutOffLater()
  }

  #cutOffLater(): void {
    this.#closeTimer ??= setTimeout(() => this.#socket.destroy(), this.#options.closeTimeoutMs).unref()
  }
}
