// autocannon ships no types; this declares the part of its programmatic API the bench uses.
declare module 'autocannon' {
  import type { EventEmitter } from 'node:events'

  interface RequestSpec {
    method?: string
    path?: string
    headers?: Record<string, string>
    body?: string
  }

  interface Options {
    url: string
    connections?: number
    /** Seconds. */
    duration?: number
    /** Stop after this many requests instead of after `duration`. */
    amount?: number
    /** Requests per second over all connections (unset: as fast as possible). */
    overallRate?: number
    /** Milliseconds between autocannon's samples; it also stops only on one of these ticks. */
    sampleInt?: number
    /** Seconds before a request counts as timed out. */
    timeout?: number
    headers?: Record<string, string>
    requests?: RequestSpec[]
  }

  interface Result {
    errors: number
    timeouts: number
    non2xx: number
    duration: number
  }

  interface Instance extends EventEmitter {
    stop(): void
  }

  function autocannon(opts: Options, done: (err: Error | null, result: Result) => void): Instance
  export default autocannon
}
