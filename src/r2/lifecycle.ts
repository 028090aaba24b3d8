import type { Logger } from '../util/logger.js'
import { startPeriodicSweep, type PeriodicSweep } from '../util/periodic-sweep.js'
import type { R2Service } from './service.js'

export type LifecycleSweeper = PeriodicSweep

/**
 * Applies buckets' lifecycle rules in the background (every `intervalMs`, a minute by default:
 * R2 itself applies them within a day). On a shared store every node sweeps; deleting an object
 * only while it is still the expired version makes concurrent sweeps harmless.
 */
export function startLifecycleSweeper(service: Pick<R2Service, 'sweepLifecycle'>, opts: { intervalMs?: number; log?: Logger } = {}): LifecycleSweeper {
  const sweep = (): Promise<number> => service.sweepLifecycle()
  return startPeriodicSweep(sweep, { ...opts, removed: 'R2 lifecycle rules removed objects', failed: 'R2 lifecycle sweep failed' })
}
