import autocannon from 'autocannon'
import { performance } from 'node:perf_hooks'
import { latencySummary, type LatencySummary } from './stats.js'

export interface LoadOptions {
  /** Origin only, e.g. `http://127.0.0.1:8787`. */
  origin: string
  /** Host header (the edge routes by it); absent: the origin's. */
  host?: string
  /** TLS server name (SNI) for an https origin; absent: the origin's hostname. */
  servername?: string
  connections: number
  /** Paths cycled through by every connection. @default ['/'] */
  paths?: string[]
  /** Total requests per second (a steady load); absent: as fast as the server answers. */
  overallRate?: number
  /** A request unanswered this long is an error. @default 10000 */
  timeoutMs?: number
}

/** Either a timed window or a number of requests. */
export type LoadBound = { durationMs: number } | { amount: number; maxMs: number }

export interface LoadResult extends LatencySummary {
  /** 2xx responses per second. */
  rps: number
  /** Responses (any status) plus failed requests. */
  attempts: number
  ok: number
  non2xx: number
  /** Connection errors and timeouts. */
  errors: number
  windowMs: number
  /** Responses over the whole run, ramp and wind-down included (what CPU time was spent on). */
  allResponses: number
}

/** Connections are opened and the first requests answered before a timed window opens. */
const RAMP_MS = 250

/**
 * One autocannon run against a real server. autocannon's own latency histogram has 1 ms
 * resolution, too coarse for sub-millisecond p50s, so every response time (float ms, from its
 * `response` event) is kept here. A timed run counts only responses that arrive inside its window,
 * so the time autocannon takes to wind its connections down does not dilute the rate; a counted
 * run (`amount`) counts everything and is cut off after `maxMs` whatever happens.
 */
export function runLoad(opts: LoadOptions, bound: LoadBound): Promise<LoadResult> {
  const paths = opts.paths ?? ['/']
  const headers = opts.host ? { host: opts.host } : undefined
  const timed = 'durationMs' in bound
  const latencies: number[] = []
  let ok = 0
  let non2xx = 0
  let errors = 0
  let allResponses = 0
  const started = performance.now()
  const windowStart = timed ? started + RAMP_MS : started
  const windowEnd = timed ? windowStart + bound.durationMs : Number.POSITIVE_INFINITY
  const inWindow = (): boolean => {
    const now = performance.now()
    return now >= windowStart && now <= windowEnd
  }
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: opts.origin,
        connections: opts.connections,
        ...(opts.servername ? { servername: opts.servername } : {}),
        sampleInt: 100,
        timeout: Math.ceil((opts.timeoutMs ?? 10_000) / 1000),
        requests: paths.map((path) => (headers ? { path, headers } : { path })),
        ...(timed ? { duration: (RAMP_MS + bound.durationMs) / 1000 + 1 } : { amount: bound.amount }),
        ...(opts.overallRate ? { overallRate: opts.overallRate } : {}),
      },
      (err) => {
        clearTimeout(stopTimer)
        if (err) return reject(err)
        const windowMs = Math.min(windowEnd, performance.now()) - windowStart
        resolve({
          ...latencySummary(latencies),
          rps: (ok / windowMs) * 1000,
          attempts: ok + non2xx + errors,
          ok,
          non2xx,
          errors,
          windowMs,
          allResponses,
        })
      },
    )
    const stopAfter = timed ? RAMP_MS + bound.durationMs + 20 : bound.maxMs
    const stopTimer = setTimeout(() => instance.stop(), stopAfter)
    instance.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
      allResponses++
      if (!inWindow()) return
      if (status >= 200 && status < 300) {
        ok++
        latencies.push(ms)
      } else {
        non2xx++
      }
    })
    instance.on('reqError', () => {
      if (inWindow()) errors++
    })
  })
}
