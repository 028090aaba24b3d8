/**
 * workerd reports an invocation the host cut off at its wall-clock deadline as `outcome: 'ok'`
 * with no response (its request context was simply dropped), so the logs would say it succeeded.
 * The host notes each cut-off of a traced script here, and the Tail entrypoint (same isolate)
 * relabels that script's next response-less trace with an outcome of its own. Cloudflare has no
 * name for it (its fetch handlers have no wall-clock limit while the client waits); the name
 * follows its `exceededCpu` / `exceededMemory`.
 */
export const WALL_CLOCK_OUTCOME = 'exceededWallClock'

/** Script key → times of cut-offs whose trace has not arrived yet. */
const cutOffs = new Map<string, number[]>()
const FORGET_AFTER_MS = 10 * 60_000
const MAX_PER_SCRIPT = 64

export function noteWallClockKill(key: string): void {
  const now = Date.now()
  // A trace that never comes (tracing switched off meanwhile) must not keep its note forever.
  for (const [k, times] of cutOffs) {
    const fresh = times.filter((t) => now - t < FORGET_AFTER_MS)
    if (fresh.length === 0) cutOffs.delete(k)
    else cutOffs.set(k, fresh)
  }
  const times = cutOffs.get(key) ?? []
  times.push(now)
  cutOffs.set(key, times.slice(-MAX_PER_SCRIPT))
}

/** The trace items of one script, with each cut-off invocation's outcome replaced. */
export function relabelWallClockKills(key: string, items: TraceItem[]): unknown[] {
  const times = cutOffs.get(key)
  if (!times || times.length === 0) return items
  return items.map((item) => {
    const event = item.event as { request?: unknown; response?: unknown } | null
    const cutOff = item.outcome === 'ok' && event?.request !== undefined && event.response === undefined
    if (!cutOff || times.length === 0) return item
    times.shift()
    if (times.length === 0) cutOffs.delete(key)
    return { ...serialisable(item), outcome: WALL_CLOCK_OUTCOME }
  })
}

/** A TraceItem's fields as JSON.stringify sees them (workerd's are getters on the prototype). */
const serialisable = (item: TraceItem): Record<string, unknown> => JSON.parse(JSON.stringify(item)) as Record<string, unknown>
