import type { Logger } from '../util/logger.js'
import type { R2Service } from './service.js'

export interface LifecycleSweeper {
  sweep(): Promise<number>
  stop(): void
}

/**
 * Applies buckets' lifecycle rules in the background (every `intervalMs`, a minute by default:
 * R2 itself applies them within a day). On a shared store every node sweeps; deleting an object
 * only while it is still the expired version makes concurrent sweeps harmless.
 */
export function startLifecycleSweeper(service: Pick<R2Service, 'sweepLifecycle'>, opts: { intervalMs?: number; log?: Logger } = {}): LifecycleSweeper {
  let running: Promise<number> | undefined
  const sweep = (): Promise<number> => service.sweepLifecycle()
  const tick = (): void => {
    if (running) return
    running = sweep()
      .then((n) => {
        if (n > 0) opts.log?.debug({ removed: n }, 'R2 lifecycle rules removed objects')
        return n
      })
      .catch((err: unknown) => {
        opts.log?.error({ err }, 'R2 lifecycle sweep failed')
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
