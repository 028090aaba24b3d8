import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)

/** The newest compatibility date the installed workerd knows (the `workerd` package says which). */
export const RUNTIME_COMPATIBILITY_DATE: string = (require('workerd') as { compatibilityDate: string }).compatibilityDate

/**
 * The date a version runs with. Cloudflare accepts any date up to today; the installed workerd
 * refuses dates past its own release, though it has no behaviour newer than that date. So a newer
 * date runs as the runtime's newest, as `wrangler dev` does it. The stored version keeps its date.
 */
export const runnableCompatibilityDate = (date: string): string =>
  date > RUNTIME_COMPATIBILITY_DATE ? RUNTIME_COMPATIBILITY_DATE : date

/** Today's date in UTC, as compatibility dates are compared. */
const todayUtc = (nowMs: number): string => new Date(nowMs).toISOString().slice(0, 10)

/** Cloudflare refuses a compatibility date after today (UTC), in workerd's words. */
export function futureCompatibilityDate(date: string, nowMs: number): string | undefined {
  const today = todayUtc(nowMs)
  return date > today ? `Can't set compatibility date in the future: "${date}". Today's date (UTC) is "${today}".` : undefined
}
