/** Median with the spread of the rounds it came from: how every repeated figure is reported. */
export interface Spread {
  median: number
  min: number
  max: number
  /** Every value, in the order measured (one per round). */
  values: number[]
}

/** Nearest-rank percentile of unsorted values; NaN when there are none. */
export function percentile(values: ArrayLike<number>, p: number): number {
  if (values.length === 0) return Number.NaN
  const sorted = Float64Array.from(values).sort()
  const rank = Math.ceil((p / 100) * sorted.length)
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!
}

export const median = (values: ArrayLike<number>): number => percentile(values, 50)

/** Median of a few rounds: with an even count, the mean of the middle two. */
function middle(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const half = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[half]! : (sorted[half - 1]! + sorted[half]!) / 2
}

export function spread(values: number[]): Spread {
  const finite = values.filter(Number.isFinite)
  if (finite.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN, values }
  return { median: middle(finite), min: Math.min(...finite), max: Math.max(...finite), values }
}

/** Per-round ratios a[i] / b[i]: rounds ran minutes apart on a noisy machine, so pair them. */
export function pairedRatios(a: number[], b: number[]): number[] {
  return a.map((x, i) => x / b[i]!)
}

/** Per-round differences a[i] − b[i]. */
export function pairedDifferences(a: number[], b: number[]): number[] {
  return a.map((x, i) => x - b[i]!)
}

/** p50 / p99 / count of one set of latencies in milliseconds. */
export interface LatencySummary {
  p50: number
  p99: number
  max: number
  count: number
}

export function latencySummary(ms: ArrayLike<number>): LatencySummary {
  let max = Number.NaN
  for (let i = 0; i < ms.length; i++) max = Number.isNaN(max) ? ms[i]! : Math.max(max, ms[i]!)
  return { p50: percentile(ms, 50), p99: percentile(ms, 99), max, count: ms.length }
}
