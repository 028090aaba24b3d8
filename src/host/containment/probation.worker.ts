import { WorkerEntrypoint } from 'cloudflare:workers'
import { HEADER_INTERNAL_SECRET } from '../../shared/headers.js'
import { PROBATION_HEADERS } from '../../shared/protocol.js'
import type { HostEnv } from '../env.worker.js'
import { exceptionResponse, invoke, type InvokeOptions } from '../pipeline/invoke.worker.js'
import { lookupScript } from '../pipeline/registry.worker.js'

/**
 * The gate of the probation process: other processes forward invocations of suspect scripts here,
 * so a script that blocks its thread again only stalls this process, never the shared pool.
 */
export class ProbationGate extends WorkerEntrypoint<HostEnv> {
  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get(HEADER_INTERNAL_SECRET) !== this.env.INTERNAL_SECRET) return new Response('forbidden', { status: 403 })
    const accountId = request.headers.get(PROBATION_HEADERS.account) ?? ''
    const namespaceId = request.headers.get(PROBATION_HEADERS.namespace) ?? ''
    const name = request.headers.get(PROBATION_HEADERS.script) ?? ''
    const options = JSON.parse(request.headers.get(PROBATION_HEADERS.options) ?? '{}') as InvokeOptions
    const headers = new Headers(request.headers)
    for (const h of [...Object.values(PROBATION_HEADERS), HEADER_INTERNAL_SECRET]) headers.delete(h)
    try {
      const script = await lookupScript(this.env, accountId, namespaceId, name)
      if (!script) throw new Error(`Worker not found: ${name}`)
      return await invoke(this.env, this.ctx, script, new Request(request, { headers }), options)
    } catch (err) {
      return exceptionResponse(err)
    }
  }
}
