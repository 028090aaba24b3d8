import { Cron } from 'croner'

/**
 * Cron expressions as Cloudflare accepts them: five fields, in UTC, with `L`, `W`, `#`, and day and
 * month names. Day-of-week numbers run 1-7 from Sunday (Quartz numbering), so `0 22 * * 0` is
 * refused as it is on Cloudflare (code 10100).
 */
const options = { paused: true, mode: '5-part', alternativeWeekdays: true, timezone: 'UTC' } as const

function compile(expression: string): Cron | undefined {
  try {
    return new Cron(expression, options)
  } catch {
    return undefined
  }
}

export const isValidCron = (expression: string): boolean => compile(expression) !== undefined

/** The first time strictly after `after` that `expression` matches (ms), or undefined if none. */
export function nextCronRun(expression: string, after: number): number | undefined {
  const next = compile(expression)?.nextRun(new Date(after))
  return next ? next.getTime() : undefined
}
