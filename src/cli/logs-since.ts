import { UsageError } from './errors.js'

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }

/** `--since`: a duration back from now (`30s`, `15m`, `1h`, `7d`) or an ISO time; Unix ms. */
export function sinceToMs(value: string, now: number): number {
  const duration = /^(\d+(?:\.\d+)?)([smhd])$/.exec(value.trim())
  if (duration) return now - Number(duration[1]) * (UNIT_MS[duration[2] as string] as number)
  const at = Date.parse(value)
  if (Number.isNaN(at)) throw new UsageError(`--since: '${value}' is neither a duration (30s, 15m, 1h, 7d) nor an ISO time`)
  return at
}
