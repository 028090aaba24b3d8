import type { Logger } from './logger.js'

export interface PeriodicSweep {
  /** Runs one sweep now; answers how many things it removed. */
  sweep(): Promise<number>
  stop(): void
}

/**
 * Runs `sweep` every `intervalMs` (a minute by default) in the background: never two at once, a
 * failure logged rather than thrown, and a timer that never keeps the process alive.
 */
export function startPeriodicSweep(
  sweep: () => Promise<number>,
  opts: { intervalMs?: number; log?: Logger; removed: string; failed: string },
): PeriodicSweep {
  let running: Promise<number> | undefined
  const tick = (): void => {
    if (running) return
    running = sweep()
      .then((n) => {
        if (n > 0) opts.log?.debug({ removed: n }, opts.removed)
        return n
      })
      .catch((err: unknown) => {
        opts.log?.error({ err }, opts.failed)
        return 0
      })
      .finally(() => {
        running = undefined
      })
  }
  const timer = setInterval(tick, opts.intervalMs ?? 60_000)
  timer.unref()
  return { sweep, stop: () => clearInterval(timer) }
}
