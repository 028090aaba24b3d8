// The host worker: the front door of every workerd process. It routes an edge request to the
// platform's account-level Worker (usually the dispatch Worker) and exports the entrypoints that
// loaded Workers reach through ctx.exports. Runs inside workerd: no Node APIs, no dependencies.
import type { HostEnv } from './env.worker.js'
import { noWorker, resourceLimits, workerThrew } from './errors.worker.js'
import { invoke, isResourceLimit } from './invoke.worker.js'
import { lookupScript, routingTable } from './registry.worker.js'
import { resolveTarget } from './routing.worker.js'

export { Assets } from './assets.worker.js'
export { Control } from './control.worker.js'
export { DispatchNamespace, ServiceBinding, UserWorker } from './dispatcher.worker.js'
export { KvNamespace } from './kv.worker.js'
export { Outbound, OutboundWorker } from './outbound.worker.js'
export { ProbationGate } from './probation.worker.js'
export { Tail } from './tail.worker.js'

export default {
  async fetch(request: Request, env: HostEnv, ctx: ExecutionContext<unknown>): Promise<Response> {
    const url = new URL(request.url)
    const host = request.headers.get('host') ?? url.host
    const target = resolveTarget(await routingTable(env), url, host)
    if (!target) return noWorker(host)
    const script = await lookupScript(env, target.accountId, '', target.script)
    if (!script || (target.viaDefaultHostname && !script.workersDev)) return noWorker(host)
    try {
      return await invoke(env, ctx, script, request)
    } catch (err) {
      if (isResourceLimit(err)) return resourceLimits()
      console.error(`[${target.accountId}/${target.script}] uncaught exception:`, err instanceof Error ? err.stack ?? err.message : String(err))
      return workerThrew()
    }
  },
} satisfies ExportedHandler<HostEnv>
