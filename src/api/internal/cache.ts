import type { Context } from 'hono'
import type { ResponseCache } from '../../cache/response-cache.js'
import { serveCached } from '../../cache/serve.js'
import { CACHE_HEADERS } from '../../host/shared/protocol.js'

type Op = 'put' | 'match' | 'delete'

/**
 * The Cache API's storage side (the wire is described at CACHE_HEADERS). The space comes from the
 * host, which derives it from the calling Worker's identity, never from the Worker's request.
 */
export function cacheInternalHandler(cache: ResponseCache, maxEntryBytes: number): (c: Context) => Promise<Response> {
  return async (c) => {
    const space = c.req.param('space') ?? ''
    const op = c.req.param('op') as Op
    const scope = { space, name: c.req.query('name') ?? 'default' }
    const url = c.req.query('url') ?? ''
    if (!space || !url) return c.text('space and url are required', 400)
    if (op === 'put' && c.req.method === 'PUT') {
      const head = parseHead(c.req.header(CACHE_HEADERS.head))
      if (!head) return c.text('Cache API put failed: malformed response head', 400)
      const body = await readBounded(c.req.raw.body, maxEntryBytes)
      if (!body) return c.text(`Cache API put failed: the response body is larger than ${maxEntryBytes} bytes`, 413)
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
      const headers = new Headers()
      for (const [k, v] of served.headers) headers.append(k, v)
      headers.set(CACHE_HEADERS.result, 'hit')
      return new Response(served.body, { status: served.status, headers })
    }
    if (op === 'delete' && c.req.method === 'DELETE') {
      return c.body(null, 204, { [CACHE_HEADERS.result]: cache.delete(scope, url) ? 'hit' : 'miss' })
    }
    return c.text('unknown cache operation', 404)
  }
}

/** The whole body, or undefined (and the rest left unread) once it passes `max` bytes. */
async function readBounded(body: ReadableStream<Uint8Array> | null, max: number): Promise<Buffer | undefined> {
  if (!body) return Buffer.alloc(0)
  const chunks: Uint8Array[] = []
  let length = 0
  const reader = body.getReader()
  for (;;) {
    const { done, value } = await reader.read()
    if (done) return Buffer.concat(chunks, length)
    length += value.byteLength
    if (length > max) {
      await reader.cancel()
      return undefined
    }
    chunks.push(value)
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
    if (!Array.isArray(headers)) return undefined
    const pairs: Array<[string, string]> = []
    for (const pair of headers) {
      if (!Array.isArray(pair) || typeof pair[0] !== 'string' || typeof pair[1] !== 'string') return undefined
      if (!FRAMING.has(pair[0].toLowerCase())) pairs.push([pair[0], pair[1]])
    }
    return { status, headers: pairs }
  } catch {
    return undefined
  }
}
