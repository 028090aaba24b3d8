import type { ScheduledResult, ScheduledRun } from '../../shared/protocol.js'
import type { HostEnv } from '../env.worker.js'
import { isResourceLimit, runContained } from './invoke.worker.js'
import { lookupScript } from './registry.worker.js'
import { versionFor } from './versions.worker.js'

/** workerd's Fetcher.scheduled() (compatibility flag service_binding_extra_handlers on the host). */
interface ScheduledFetcher {
  scheduled(options: { scheduledTime: Date; cron: string }): Promise<{ outcome: string; noRetry: boolean }>
}

/** Marks "on probation: run it in the probation process instead". */
class SendToProbation extends Error {}

/**
 * Runs one cron tick: the script's `scheduled` handler (module export or service-worker listener)
 * through the Worker Loader's entrypoint, under the same containment as a request. A gradual
 * deployment draws its version as a request without version headers does.
 */
export async function runScheduled(env: HostEnv, ctx: ExecutionContext<unknown>, run: ScheduledRun): Promise<ScheduledResult> {
  const found = await lookupScript(env, run.accountId, run.namespaceId, run.script)
  if (!found || found.mainModule === '') return { outcome: 'missing', noRetry: true }
  const d = versionFor(found, new Request('http://scheduled.invalid/'))
  try {
    const result = await runContained(env, ctx, d, {}, {
      call: (worker) => (worker.getEntrypoint() as unknown as ScheduledFetcher).scheduled({ scheduledTime: new Date(run.scheduledTime), cron: run.cron }),
      meteredInIsolate: d.format !== 'service-worker',
      onProbation: () => Promise.reject(new SendToProbation()),
    })
    return result.outcome === 'ok'
      ? { outcome: 'ok', noRetry: result.noRetry }
      : { outcome: 'exception', noRetry: result.noRetry, error: result.outcome }
  } catch (err) {
    if (err instanceof SendToProbation) return { outcome: 'probation', noRetry: false }
    const message = err instanceof Error ? err.message : String(err)
    return { outcome: isResourceLimit(err) ? 'exceededResources' : 'exception', noRetry: false, error: message }
  }
}
