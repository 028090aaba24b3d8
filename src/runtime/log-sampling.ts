import { scriptKeyOf, type ScriptRef } from './events.js'

/**
 * Workers Logs for scripts that did not ask for them, at a rate the operator sets (`logSampleRate`).
 * At a rate above 0 every script is traced, and the events of a script traced only for the sample
 * are kept with that probability; at 0 nothing changes: no tracing, no store write per request.
 */
export class LogSampling {
  readonly rate: number
  readonly #random: () => number
  /** Scripts traced only because of the sample (no observability, logpush or tail). */
  readonly #sampledOnly = new Set<string>()

  constructor(rate: number, random: () => number = Math.random) {
    this.rate = Math.min(1, Math.max(0, rate))
    this.#random = random
  }

  /** Whether a script that traces for no other reason is traced for the sample; notes which are. */
  traces(ref: ScriptRef, tracedAnyway: boolean): boolean {
    const key = scriptKeyOf(ref)
    if (tracedAnyway || this.rate === 0) {
      this.#sampledOnly.delete(key)
      return tracedAnyway
    }
    this.#sampledOnly.add(key)
    return true
  }

  /** Whether an invocation's events are stored: always for traced scripts, at the rate for sampled ones. */
  keeps(ref: ScriptRef): boolean {
    if (!this.#sampledOnly.has(scriptKeyOf(ref))) return true
    return this.rate >= 1 || this.#random() < this.rate
  }
}
