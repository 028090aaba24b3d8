/**
 * Subrequest budgets. A loaded Worker's globalOutbound is fixed when its isolate loads, so the host
 * cannot tell which of several concurrent invocations of the same isolate made a subrequest. It
 * therefore counts per isolate (load key): while invocations run, the budget is the sum of their
 * limits (exact when they run one at a time); once none runs, late work (waitUntil) still gets one
 * invocation's allowance. Documented in docs/limits.md.
 */
interface Budget {
  active: number
  allowance: number
  used: number
  /** Limit of the most recent invocation: what late work may use once none is active. */
  last: number
}

const budgets = new Map<string, Budget>()

export function beginInvocation(loadKey: string, limit: number): void {
  const b = budgets.get(loadKey) ?? { active: 0, allowance: 0, used: 0, last: limit }
  if (b.active === 0) b.used = 0
  b.active++
  b.allowance += limit
  b.last = limit
  budgets.set(loadKey, b)
}

export function endInvocation(loadKey: string, limit: number): void {
  const b = budgets.get(loadKey)
  if (!b) return
  b.active = Math.max(0, b.active - 1)
  b.allowance = Math.max(0, b.allowance - limit)
}

/** Counts one subrequest; false when the budget is spent. */
export function takeSubrequest(loadKey: string): boolean {
  const b = budgets.get(loadKey)
  if (!b) return true
  const allowance = b.active > 0 ? b.allowance : b.last
  if (b.used >= allowance) return false
  b.used++
  return true
}

/** A short, stable hash for cache keys (FNV-1a, two seeds → 64 bits). */
export function stableHash(value: unknown): string {
  const text = JSON.stringify(value) ?? ''
  let a = 0x811c9dc5
  let b = 0x01000193 ^ 0x5bd1e995
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    a = Math.imul(a ^ c, 0x01000193)
    b = Math.imul(b ^ c, 0x5bd1e995)
  }
  return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0')
}
