/**
 * Collects the CPU time metered Workers' isolates charged to their invocations (see
 * shims/cpu-meter.worker.ts) into the usage records, through the meter's own entrypoint. An invocation only notes that its isolate
 * holds uncollected time; each health probe (~100 ms apart) asks the isolates whose oldest
 * uncollected invocation ended at least COLLECT_AFTER_MS ago, so a busy Worker costs one extra
 * call into its isolate per interval instead of a copy of every response.
 */
import type { ScriptDescriptor } from '../../shared/protocol.js'
import { CPU_REPORT_ENTRYPOINT, type CpuReport } from '../../shared/usage.js'
import type { HostEnv } from '../env.worker.js'
import { loadWorker, type LoadVariant } from '../pipeline/loader.worker.js'
import { scriptKey } from './guard.worker.js'
import { recordCpuReport } from './usage.worker.js'

/** How long a report may wait in an isolate: the delay before CPU time shows in the usage records. */
const COLLECT_AFTER_MS = 500

interface Holder {
  d: ScriptDescriptor
  variant: LoadVariant | undefined
  since: number
}

/** Isolates holding uncollected CPU time, by load key. */
const holders = new Map<string, Holder>()

/** A metered invocation of the isolate under `loadKey` ended: its meter holds CPU time to collect. */
export function noteUncollectedCpu(loadKey: string, d: ScriptDescriptor, variant: LoadVariant | undefined): void {
  if (!holders.has(loadKey)) holders.set(loadKey, { d, variant, since: Date.now() })
}

/** Collects the reports that are due. An isolate that cannot answer (its process is going away) loses its report. */
export async function collectCpuReports(env: HostEnv, ctx: ExecutionContext<unknown>): Promise<void> {
  const now = Date.now()
  const due: Holder[] = []
  for (const [loadKey, holder] of holders) {
    if (now - holder.since < COLLECT_AFTER_MS) continue
    holders.delete(loadKey)
    due.push(holder)
  }
  await Promise.all(due.map((holder) => collect(env, ctx, holder).catch(() => undefined)))
}

async function collect(env: HostEnv, ctx: ExecutionContext<unknown>, { d, variant }: Holder): Promise<void> {
  // The loader keeps every isolate it loaded for the process's life, so this reaches the one that ran.
  const response = await loadWorker(env, ctx, d, variant)
    .getEntrypoint(CPU_REPORT_ENTRYPOINT)
    .fetch('http://cpu-report.invalid/')
  recordCpuReport(scriptKey(d.accountId, d.namespaceId, d.name), (await response.json()) as CpuReport)
}
