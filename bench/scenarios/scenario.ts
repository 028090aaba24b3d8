import type { Figure } from '../lib/report.js'

export interface BenchContext {
  quick: boolean
  /** Progress line on stderr (the tables go to stdout). */
  log(message: string): void
}

/** One scenario: what it measures, run against fresh processes that it stops before returning. */
export interface Scenario {
  id: string
  title: string
  run(ctx: BenchContext): Promise<{ figures: Figure[]; notes: string[] }>
}
