// Limits the edge applies to a request before any Worker sees it: the body size cap and the loop
// limit (how many more Worker invocations a chain of subrequests back into the edge may make).
import type { HostSettings } from '../env.worker.js'

/**
 * Cloudflare's loop header: the invocations a request may still cause. The edge starts a request at
 * LOOP_LIMIT, each subrequest a Worker makes carries one less, and a request arriving with none left
 * is refused (1019). A larger value from outside is clamped, so nobody buys more hops.
 */
export const HEADER_LOOP = 'cf-ew-via'
export const LOOP_LIMIT = 16

export function invocationsLeft(request: Request): number {
  const given = Number.parseInt(request.headers.get(HEADER_LOOP) ?? '', 10)
  return Number.isFinite(given) ? Math.max(0, Math.min(given, LOOP_LIMIT)) : LOOP_LIMIT
}

/**
 * What each running isolate's invocations have left. A loaded Worker's globalOutbound is fixed when
 * its isolate loads, so a subrequest cannot name the invocation that made it: it takes the lowest
 * count of the isolate's running invocations (conservative under concurrency), or the last one's
 * for late work (waitUntil).
 */
const running = new Map<string, { counts: number[]; last: number }>()

export function enterLoop(loadKey: string, left: number): void {
  const entry = running.get(loadKey) ?? { counts: [], last: left }
  entry.counts.push(left)
  entry.last = left
  running.set(loadKey, entry)
}

export function leaveLoop(loadKey: string, left: number): void {
  const entry = running.get(loadKey)
  if (!entry) return
  const at = entry.counts.indexOf(left)
  if (at !== -1) entry.counts.splice(at, 1)
}

/** The loop header a subrequest of this isolate carries: one invocation fewer than its caller's. */
export function subrequestLoopCount(loadKey: string | undefined): number {
  const entry = loadKey === undefined ? undefined : running.get(loadKey)
  if (!entry) return LOOP_LIMIT - 1
  const left = entry.counts.length > 0 ? Math.min(...entry.counts) : entry.last
  return Math.max(0, left - 1)
}

/** The largest request body an account's Workers accept (Cloudflare: 100 MB on Free and Pro). */
export function bodyLimitFor(settings: HostSettings, accountId: string): number {
  return settings.accountBodyBytes[accountId] ?? settings.maxBodyBytes
}

/** Whether the request declares a body larger than `limit` (Content-Length). */
export function declaresTooLarge(request: Request, limit: number): boolean {
  const declared = request.headers.get('content-length')
  return declared !== null && Number(declared) > limit
}

/**
 * The request with its body counted as it streams: past `limit` the stream errors (the Worker's
 * read rejects) and `tripped()` turns true, so the edge answers 413 whatever the Worker did. Nothing
 * is buffered: chunks pass through as the Worker reads them.
 */
export function capBody(request: Request, limit: number): { request: Request; tripped(): boolean } {
  if (request.body === null) return { request, tripped: () => false }
  let seen = 0
  let over = false
  const counter = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      seen += chunk.byteLength
      if (seen > limit) {
        over = true
        controller.error(new Error('Request body too large'))
        return
      }
      controller.enqueue(chunk)
    },
  })
  const headers = new Headers(request.headers)
  headers.delete('content-length')
  return { request: new Request(request, { headers, body: request.body.pipeThrough(counter) }), tripped: () => over }
}
