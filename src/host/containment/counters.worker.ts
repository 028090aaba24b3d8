/**
 * Per-script invocation counters of this process, drained by each watchdog probe. They cost a map
 * update per invocation, so every script has metrics whether or not it is traced.
 */
export type Outcome = 'ok' | 'exception' | 'exceededResources' | 'exceededWallClock'

let counts = new Map<string, Record<Outcome, number>>()

export function countInvocation(key: string, outcome: Outcome): void {
  let c = counts.get(key)
  if (!c) counts.set(key, (c = { ok: 0, exception: 0, exceededResources: 0, exceededWallClock: 0 }))
  c[outcome]++
}

/** Everything counted since the last drain, keyed by script key. */
export function drainCounts(): Record<string, Record<Outcome, number>> {
  const out = Object.fromEntries(counts)
  counts = new Map()
  return out
}
