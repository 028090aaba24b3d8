import { nextCronRun } from '../domain/cron.js'
import type { ScheduledResult, ScheduledRun } from '../shared/protocol.js'
import type { DueTick, Store } from '../storage/store.js'
import type { Clock } from '../util/clock.js'
import type { Logger } from '../util/logger.js'

export interface SchedulerDeps {
  store: Pick<Store, 'schedules'>
  clock: Clock
  log: Logger
  /** Runs one tick in a workerd process (ScheduledRunner.run). */
  run(run: ScheduledRun): Promise<ScheduledResult>
}

/** How many due triggers one pass claims at most; the rest wait for the next pass. */
const BATCH = 500
const MINUTE_MS = 60_000

/**
 * Cron triggers in Node: once a minute (just after the boundary), every due trigger is claimed in
 * the store and run. The claim is a conditional update of the trigger's persisted next run, so on a
 * shared PostgreSQL store exactly one node runs each tick, and a tick missed while no node was up
 * runs once when one comes back (later missed ticks of the same trigger are not replayed).
 */
export class Scheduler {
  #timer: NodeJS.Timeout | undefined
  #running: Promise<number> | undefined
  #stopped = false

  constructor(private readonly deps: SchedulerDeps) {}

  /** Runs every tick due now; resolves with how many this node claimed, once they have run. */
  tick(): Promise<number> {
    // One pass at a time: a slow pass delays the next rather than overlapping it.
    const pass = (this.#running ?? Promise.resolve(0)).then(() => this.#pass())
    this.#running = pass.catch(() => 0)
    return pass
  }

  start(): void {
    this.#stopped = false
    this.#schedule()
  }

  async stop(): Promise<void> {
    this.#stopped = true
    clearTimeout(this.#timer)
    await this.#running
  }

  #schedule(): void {
    if (this.#stopped) return
    const now = this.deps.clock.now()
    const wait = MINUTE_MS - (now % MINUTE_MS) + 50
    this.#timer = setTimeout(() => {
      this.tick()
        .catch((err) => this.deps.log.error({ err }, 'cron pass failed'))
        .finally(() => this.#schedule())
    }, wait)
    this.#timer.unref()
  }

  async #pass(): Promise<number> {
    const now = this.deps.clock.now()
    const due = await this.deps.store.schedules.due(now, BATCH)
    const claimed: DueTick[] = []
    for (const tick of due) {
      if (await this.deps.store.schedules.claim(tick.id, tick.runAt, nextCronRun(tick.cron, now) ?? Number.MAX_SAFE_INTEGER)) claimed.push(tick)
    }
    await Promise.all(claimed.map((tick) => this.#runOne(tick)))
    return claimed.length
  }

  async #runOne(tick: DueTick): Promise<void> {
    const run: ScheduledRun = {
      accountId: tick.accountId,
      namespaceId: tick.namespaceId ?? '',
      script: tick.scriptName,
      cron: tick.cron,
      scheduledTime: tick.runAt,
    }
    try {
      const result = await this.deps.run(run)
      if (result.outcome !== 'ok')
        this.deps.log.warn({ account: run.accountId, namespace: run.namespaceId, script: run.script, cron: run.cron, outcome: result.outcome, error: result.error }, 'cron tick did not succeed')
    } catch (err) {
      this.deps.log.error({ err, account: run.accountId, script: run.script, cron: run.cron }, 'cron tick could not run')
    }
  }
}
