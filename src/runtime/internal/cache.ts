import type { Context } from 'hono'
import type { ResponseCache } from '../../cache/response-cache.js'
import { serveCached } from '../../cache/serve.js'
import { CACHE_HEADERS } from '../../shared/protocol.js'

type Op = 'put' | 'match' | 'delete'

/**
 * The Cache API's storage side (the wire is described at CACHE_HEADERS). The space comes from the
 * host, which derives it from the calling Worker's identity, never from the Worker's request.
 */
export function cacheInternalHandler(cache: ResponseCache): (c: Context) => Promise<Response> {
  const { maxEntryBytes } = cache
  // Bodies of puts being read: past the total a put is refused (503), so concurrent puts cannot
  // hold more of Node's memory than this before they are stored; one space may hold a quarter of
  // it, so one tenant's stalled puts cannot shut out everyone else's.
  const inFlight = new InFlight(Math.max(4 * maxEntryBytes, 64 * 1024 * 1024))
  return async (c) => {
    const space = c.req.param('space') ?? ''
    const op = c.req.param('op') as Op
    const scope = { space, name: c.req.query('name') ?? 'default' }
    const url = c.req.query('url') ?? ''
    if (!space || !url) return c.text('space and url are required', 400)
    if (op === 'put' && c.req.method === 'PUT') {
      const head = parseHead(c.req.header(CACHE_HEADERS.head))
      if (!head) return c.text('Cache API put failed: malformed response head', 400)
      const body = await readBounded(c.req.raw.body, maxEntryBytes, inFlight, space)
      // A put that fails still leaves no stale entry behind.
      if (body === 'busy' || body === 'too-large') cache.delete(scope, url)
      if (body === 'busy') return c.text('Cache API put failed: the cache is busy, try again', 503)
      if (body === 'too-large') return c.text(`Cache API put failed: the response body is larger than ${maxEntryBytes} bytes`, 413)
      cache.put(scope, url, head, body)
      return c.body(null, 204)
    }
    if (op === 'match' && c.req.method === 'GET') {
      const entry = cache.match(scope, url)
      if (!entry) return c.body(null, 204, { [CACHE_HEADERS.result]: 'miss' })
      const served = serveCached(entry, {
        range: c.req.header('range'),
        ifNoneMatch: c.req.header('if-none-match'),
        ifModifiedSince: c.req.header('if-modified-since'),
      })
      // The stored head travels beside the body, not as this response's own head: a stored
      // Content-Encoding must not make anyone on the way decode the (already decoded) body.
      const head = encodeURIComponent(JSON.stringify({ status: served.status, headers: served.headers }))
      return new Response(served.body, { status: 200, headers: { [CACHE_HEADERS.result]: 'hit', [CACHE_HEADERS.head]: head } })
    }
    if (op === 'delete' && c.req.method === 'DELETE') {
      return c.body(null, 204, { [CACHE_HEADERS.result]: cache.delete(scope, url) ? 'hit' : 'miss' })
    }
    return c.text('unknown cache operation', 404)
  }
}

/** The whole body; 'too-large' past `max` bytes, 'busy' past the in-flight budget (the rest left unread). */
async function readBounded(
  body: ReadableStream<Uint8Array> | null,
  max: number,
  inFlight: InFlight,
  space: string,
): Promise<Buffer | 'too-large' | 'busy'> {
  if (!body) return Buffer.alloc(0)
  const chunks: Uint8Array[] = []
  let length = 0
  const reader = body.getReader()
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) return Buffer.concat(chunks, length)
      length += value.byteLength
      const admitted = inFlight.take(space, value.byteLength)
      if (length > max || !admitted) {
        await reader.cancel()
        return length > max ? 'too-large' : 'busy'
      }
      chunks.push(value)
    }
  } finally {
    inFlight.give(space, length)
  }
}

/** Bytes of put bodies being read, in all and per space. */
class InFlight {
  #total = 0
  readonly #bySpace = new Map<string, number>()

  constructor(private readonly max: number) {}

  /** Counts `bytes` for `space`; false when that takes the space past a quarter or the total past all. */
  take(space: string, bytes: number): boolean {
    const mine = (this.#bySpace.get(space) ?? 0) + bytes
    this.#bySpace.set(space, mine)
    this.#total += bytes
    return mine <= this.max / 4 && this.#total <= this.max
  }

  give(space: string, bytes: number): void {
    const mine = (this.#bySpace.get(space) ?? 0) - bytes
    if (mine <= 0) this.#bySpace.delete(space)
    else this.#bySpace.set(space, mine)
    this.#total -= bytes
  }
}

/** Framing headers describe one transfer, not the stored response: Node sets its own on a match. */
const FRAMING = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade'])

/** The status and headers a Worker's put sent (it may send anything: checked, never trusted). */
function parseHead(raw: string | undefined): { status: number; headers: Array<[string, string]> } | undefined {
  try {
    const head = JSON.parse(decodeURIComponent(raw ?? '')) as { status?: unknown; headers?: unknown }
    const { status, headers } = head
    if (typeof status !== 'number' || !Number.isInteger(status) || status < 200 || status > 599) return undefined
    // What the Cache API refuses to store (the caches module refuses them before sending).
    if (status === 206 || status === 304) return undefined
    if (!Array.isArray(headers)) return undefined
    const pairs: Array<[string, string]> = []
    for (const pair of headers) {
      if (!Array.isArray(pair) || typeof pair[0] !== 'string' || typeof pair[1] !== 'string') return undefined
      if (!FRAMING.has(pair[0].toLowerCase())) pairs.push([pair[0], pair[1]])
    }
    // Throws on a name or value no HTTP message could carry.
    new Headers(pairs)
    return { status, headers: pairs }
  } catch {
    return undefined
  }
}
