import { timingSafeEqual } from 'node:crypto'
import type { Duplex } from 'node:stream'
import type { EventHub, ScriptRef } from '../../runtime/events.js'
import type { Clock } from '../../util/clock.js'
import { hexId, secretToken } from '../../util/ids.js'
import type { Logger } from '../../util/logger.js'
import { compileFilters, type TailFilter, type TailPredicate } from './filters.js'
import { toTailMessage, type TailTarget } from './message.js'
import { CLOSE, WebSocketConnection, type ConnectionOptions } from './websocket.js'

/** A live tail as the API shows it. */
export interface TailSession {
  readonly id: string
  readonly ref: ScriptRef
  /** The WebSocket URL; its one-time token is the only credential the socket needs. */
  readonly url: string
  readonly expiresAt: number
  readonly connected: boolean
}

export interface NewTail {
  ref: ScriptRef
  namespaceName: string | null
  filters: TailFilter[]
  /** Where the POST came from: what the `client_ip: ["self"]` filter means. */
  creatorIp: string | undefined
  /** `ws://host:port/client/v4/…/tails`, from the request that creates the tail. */
  socketBase: string
}

export type TailChange = { kind: 'connected' | 'disconnected' | 'ended'; session: TailSession }

export interface TailSessionsOptions {
  events: Pick<EventHub, 'subscribe'>
  clock: Clock
  log: Logger
  /** How long a tail lives, connected or not; wrangler reconnects with a new one. @default 6 hours */
  ttlMs?: number
  connection?: Partial<ConnectionOptions>
}

const DEFAULT_TTL_MS = 6 * 60 * 60 * 1000
const DEFAULT_CONNECTION: ConnectionOptions = {
  maxMessageBytes: 64 * 1024,
  maxBufferedBytes: 8 * 1024 * 1024,
  closeTimeoutMs: 2000,
}

interface Entry {
  readonly id: string
  readonly ref: ScriptRef
  readonly target: TailTarget
  readonly url: string
  readonly socketPath: string
  readonly token: string
  readonly expiresAt: number
  readonly accept: TailPredicate
  readonly timer: NodeJS.Timeout
  /** The token is spent by the first upgrade, so a leaked URL cannot open a second socket. */
  claimed: boolean
  connection?: WebSocketConnection
}

const sameScript = (a: ScriptRef, b: ScriptRef): boolean =>
  a.accountId === b.accountId && a.namespaceId === b.namespaceId && a.script === b.script

/**
 * Live tails: the sessions `wrangler tail` creates and deletes, each bound to one script and, once
 * its URL is opened, to one WebSocket that receives that script's trace events. Sessions live in
 * memory only: a restart ends every tail, and wrangler reconnects with a new one.
 */
export class TailSessions {
  readonly #entries = new Map<string, Entry>()
  readonly #listeners = new Set<(change: TailChange) => void>()
  readonly #options: TailSessionsOptions
  readonly #connection: ConnectionOptions

  constructor(options: TailSessionsOptions) {
    this.#options = options
    this.#connection = { ...DEFAULT_CONNECTION, ...options.connection }
  }

  create(input: NewTail): TailSession {
    const id = hexId()
    const token = secretToken()
    const ttl = this.#options.ttlMs ?? DEFAULT_TTL_MS
    const socketUrl = new URL(`${input.socketBase}/${id}/socket`)
    socketUrl.searchParams.set('token', token)
    const entry: Entry = {
      id,
      ref: input.ref,
      target: { script: input.ref.script, namespaceName: input.namespaceName },
      url: socketUrl.href,
      socketPath: socketUrl.pathname,
      token,
      expiresAt: this.#options.clock.now() + ttl,
      accept: compileFilters(input.filters, { creatorIp: input.creatorIp }),
      timer: setTimeout(() => this.#end(id, 'tail expired'), ttl).unref(),
      claimed: false,
    }
    this.#entries.set(id, entry)
    return view(entry)
  }

  /** Whether `ref` has a live tail (from its creation to its end): only then does the edge trace it. */
  isTailed(ref: ScriptRef): boolean {
    for (const e of this.#entries.values()) if (sameScript(e.ref, ref)) return true
    return false
  }

  list(ref: ScriptRef): TailSession[] {
    return [...this.#entries.values()].filter((e) => sameScript(e.ref, ref)).map(view)
  }

  /** Ends a tail of `ref` (closing its socket normally, so wrangler stops); false if there is none. */
  delete(ref: ScriptRef, id: string): boolean {
    const entry = this.#entries.get(id)
    if (!entry || !sameScript(entry.ref, ref)) return false
    this.#end(id, 'tail deleted')
    return true
  }

  /**
   * Checks an upgrade request against a session: the path it was given and its unspent token.
   * Returns the session to `attach`, or why not.
   */
  claim(id: string, path: string, token: string): { ok: true; id: string } | { ok: false; reason: 'unknown' | 'unauthorized' } {
    const entry = this.#entries.get(id)
    if (!entry || entry.socketPath !== path) return { ok: false, reason: 'unknown' }
    if (entry.claimed || !sameSecret(entry.token, token)) return { ok: false, reason: 'unauthorized' }
    entry.claimed = true
    return { ok: true, id }
  }

  /** Binds an upgraded socket to a claimed session and starts forwarding the script's events. */
  attach(id: string, socket: Duplex, head: Buffer): void {
    const entry = this.#entries.get(id)
    if (!entry) {
      socket.destroy()
      return
    }
    let unsubscribe = (): void => {}
    const connection = new WebSocketConnection(
      socket,
      head,
      {
        // wrangler's first frame is `{"debug":…}`; filtered events are simply not sent either way.
        onText: () => {},
        onClosed: () => {
          unsubscribe()
          if (connection.dropped > 0)
            this.#options.log.info({ tail: entry.id, dropped: connection.dropped }, 'tail client read too slowly; events dropped')
          if (entry.connection === connection) entry.connection = undefined
          this.#emit({ kind: 'disconnected', session: view(entry) })
        },
      },
      this.#connection,
    )
    entry.connection = connection
    unsubscribe = this.#options.events.subscribe(entry.ref, (_ref, event) => {
      // Runs inside the edge's event fan-out: a failure here must not reach other listeners.
      try {
        const message = toTailMessage(event, entry.target)
        if (entry.accept(message)) connection.sendText(JSON.stringify(message))
      } catch (err) {
        this.#options.log.warn({ err, tail: entry.id }, 'tail event not forwarded')
      }
    })
    this.#emit({ kind: 'connected', session: view(entry) })
  }

  /** Every live tail's socket is told the server is going away (wrangler reconnects to the next one). */
  closeAll(): void {
    for (const entry of this.#entries.values()) {
      clearTimeout(entry.timer)
      entry.connection?.close(CLOSE.goingAway, 'server shutting down')
    }
    this.#entries.clear()
  }

  /** Observes sessions connecting, disconnecting and ending (for operators and tests). */
  onChange(listener: (change: TailChange) => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  #end(id: string, reason: string): void {
    const entry = this.#entries.get(id)
    if (!entry) return
    this.#entries.delete(id)
    clearTimeout(entry.timer)
    // 1000 tells wrangler the tail is over; any other code makes it reconnect.
    entry.connection?.close(CLOSE.normal, reason)
    this.#emit({ kind: 'ended', session: view(entry) })
  }

  #emit(change: TailChange): void {
    for (const listener of this.#listeners) listener(change)
  }
}

const view = (e: Entry): TailSession => ({
  id: e.id,
  ref: e.ref,
  url: e.url,
  expiresAt: e.expiresAt,
  connected: e.connection?.isOpen ?? false,
})

function sameSecret(expected: string, given: string): boolean {
  const a = Buffer.from(expected)
  const b = Buffer.from(given)
  return a.length === b.length && timingSafeEqual(a, b)
}
