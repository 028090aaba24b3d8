/** Time source injected everywhere time matters, so tests can move it (test/helpers/manual-clock.ts). */
export interface Clock {
  now(): number
}

export const systemClock: Clock = { now: () => Date.now() }

export const isoTime = (ms: number): string => new Date(ms).toISOString()
