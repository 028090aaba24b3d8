import type { Logger } from '../util/logger.js'
import { startPeriodicSweep } from '../util/periodic-sweep.js'
import type { KvService } from './service.js'

export interface ExpirySweeper {
  /** Runs batches until no expired entry is left; answers how many were purged. */
  sweep(): Promise<number>
  stop(): void
}

/**
 * Purges expired KV entries in the background. Reads already hide and purge expired entries on
 * their own; this reclaims the ones nobody reads again. Batches keep each SQLite write
 * transaction short, and the timer never keeps the process alive.
 */
export function startExpirySweeper(
  service: Pick<KvService, 'purgeExpired'>,
  opts: { intervalMs?: number; batch?: number; log?: Logger } = {},
): ExpirySweeper {
  const batch = opts.batch ?? 1000
  const sweep = async (): Promise<number> => {
    let total = 0
    for (;;) {
      const purged = await service.purgeExpired(batch)
      total += purged
      if (purged < batch) return total
      // Let requests in between batches.
      await new Promise<void>((resolve) => setImmediate(resolve))
    }
  }
  return startPeriodicSweep(sweep, { ...opts, removed: 'purged expired KV entries', failed: 'KV expiry sweep failed' })
}
