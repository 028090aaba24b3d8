import { createHash, createHmac, timingSafeEqual } from 'node:crypto'
import type { Keyring } from '../../secrets/sealer.js'
import type { Clock } from '../../util/clock.js'

/**
 * The channel between nodes: a node calls the owner of a resource at the address in its lease,
 * under `CLUSTER_PREFIX` on the owner's API port (the internal API listens on loopback only, with a
 * per-boot secret, so it cannot be the door). A call is signed with a key every node derives from
 * the secrets key they must share on PostgreSQL: HMAC-SHA256 over the time, method, path and the
 * body's digest, accepted within `MAX_SKEW_MS`, so the key itself never crosses the network and a
 * captured call cannot be replayed against another path or body, or much later.
 */
export const CLUSTER_PREFIX = '/__workerhive/cluster'
export const CLUSTER_SIGNATURE_HEADER = 'x-workerhive-cluster-signature'
const MAX_SKEW_MS = 60_000
/** Largest call body: a D1 import's SQL (100 MiB) with room for its JSON. */
const MAX_CALL_BYTES = 128 * 1024 * 1024
// Binds the derived key to its purpose: the same secrets key seals secrets, which never sign calls.
const PURPOSE = 'workerhive cluster call v1'

/** The key calls are signed with, and the ones accepted (the previous keys too, during a rotation). */
export interface ClusterKeys {
  readonly sign: Buffer
  readonly accept: readonly Buffer[]
}

export function clusterKeys(keyring: Keyring): ClusterKeys {
  const derive = (bytes: Buffer) => createHmac('sha256', bytes).update(PURPOSE).digest()
  const sign = derive(keyring.current.bytes)
  return { sign, accept: [sign, ...keyring.previous.map((k) => derive(k.bytes))] }
}

const digestOf = (body: Uint8Array): string => createHash('sha256').update(body).digest('hex')

function mac(key: Buffer, at: number, method: string, path: string, digest: string): Buffer {
  return createHmac('sha256', key).update(`${at}\n${method.toUpperCase()}\n${path}\n${digest}`).digest()
}

/** The signature header for a call: `<time>.<hex mac>`. */
export function signCall(keys: ClusterKeys, at: number, method: string, path: string, body: Uint8Array): string {
  return `${at}.${mac(keys.sign, at, method, path, digestOf(body)).toString('hex')}`
}

/** Whether a signature header is well formed and recent: checked before a body is read. */
function parseSignature(header: string | null, now: number): { at: number; mac: Buffer } | undefined {
  const match = /^(\d{1,15})\.([0-9a-f]{64})$/.exec(header ?? '')
  if (!match) return undefined
  const at = Number(match[1])
  if (Math.abs(now - at) > MAX_SKEW_MS) return undefined
  return { at, mac: Buffer.from(match[2]!, 'hex') }
}

/** Whether `header` signs this call with an accepted key, at a time within the skew allowed. */
export function verifyCall(keys: ClusterKeys, now: number, header: string | null, method: string, path: string, body: Uint8Array): boolean {
  const parsed = parseSignature(header, now)
  if (!parsed) return false
  const { at } = parsed
  const given = parsed.mac
  const digest = digestOf(body)
  return keys.accept.some((k) => timingSafeEqual(mac(k, at, method, path, digest), given))
}

export interface ClusterClientOptions {
  keys: ClusterKeys
  clock: Clock
  /** A call that has not answered after this long is abandoned (the owner may be gone). */
  timeoutMs: number
}

/** A node unreachable or failing at the transport level: the caller may ask the store again. */
export class PeerUnreachable extends Error {}

/** Calls other nodes' cluster routes, signed. Bodies are buffered (they are signed whole). */
export class ClusterClient {
  readonly #o: ClusterClientOptions

  constructor(options: ClusterClientOptions) {
    this.#o = options
  }

  /**
   * POSTs `body` to `<address><CLUSTER_PREFIX><path>` (path starts with `/`); answers the peer's
   * response whatever its status, or throws PeerUnreachable when there is none.
   */
  async call(address: string, path: string, body: Uint8Array | string, headers: Record<string, string> = {}): Promise<Response> {
    const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body
    const fullPath = CLUSTER_PREFIX + path
    const signature = signCall(this.#o.keys, this.#o.clock.now(), 'POST', fullPath, bytes)
    try {
      return await fetch(new URL(fullPath, address), {
        method: 'POST',
        headers: { ...headers, [CLUSTER_SIGNATURE_HEADER]: signature },
        body: bytes,
        signal: AbortSignal.timeout(this.#o.timeoutMs),
      })
    } catch (err) {
      throw new PeerUnreachable(`node at ${address} did not answer: ${(err as Error).message}`, { cause: err })
    }
  }
}

/** A handler of one kind of call: the rest of the path after `/<kind>`, and the verified body. */
export type ClusterHandler = (rest: string, body: Uint8Array, request: Request) => Promise<Response>

/**
 * The receiving side, mounted on the API port by main.ts: verifies each call's signature, then
 * hands it to the handler registered for its first path segment (`/d1/…`, `/do/…`).
 */
export class ClusterRoutes {
  readonly #keys: ClusterKeys
  readonly #clock: Clock
  readonly #handlers = new Map<string, ClusterHandler>()

  constructor(keys: ClusterKeys, clock: Clock) {
    this.#keys = keys
    this.#clock = clock
  }

  on(kind: string, handler: ClusterHandler): void {
    this.#handlers.set(kind, handler)
  }

  handles(url: URL): boolean {
    return url.pathname === CLUSTER_PREFIX || url.pathname.startsWith(`${CLUSTER_PREFIX}/`)
  }

  async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url)
    const refused = new Response('unsigned or badly signed cluster call', { status: 401 })
    const signature = request.headers.get(CLUSTER_SIGNATURE_HEADER)
    // Nothing is read of a call that cannot be signed, and no body past the cap: the route is on
    // the public API's port.
    if (!parseSignature(signature, this.#clock.now())) return refused
    const body = await readCapped(request, MAX_CALL_BYTES)
    if (!body) return new Response('cluster call too large', { status: 413 })
    const path = url.pathname + url.search
    if (!verifyCall(this.#keys, this.#clock.now(), signature, request.method, path, body)) return refused
    const rest = url.pathname.slice(CLUSTER_PREFIX.length)
    const kind = rest.split('/')[1] ?? ''
    const handler = this.#handlers.get(kind)
    if (!handler) return new Response(`no cluster handler for ${kind}`, { status: 404 })
    return handler(rest.slice(kind.length + 1), body, request)
  }
}

/** The body, or undefined once it passes `cap` bytes (said by Content-Length or seen while reading). */
async function readCapped(request: Request, cap: number): Promise<Uint8Array | undefined> {
  if (Number(request.headers.get('content-length') ?? 0) > cap) return undefined
  if (!request.body) return new Uint8Array()
  const chunks: Uint8Array[] = []
  let size = 0
  for await (const chunk of request.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength
    if (size > cap) return undefined
    chunks.push(chunk)
  }
  return Buffer.concat(chunks)
}
