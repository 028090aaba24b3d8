import { WorkerEntrypoint } from 'cloudflare:workers'
import type { HostEnv } from '../../host/env.worker.js'
import { invoke } from '../../host/pipeline/invoke.worker.js'
import { loadWorker } from '../../host/pipeline/loader.worker.js'
import { lookupScript } from '../../host/pipeline/registry.worker.js'
import { ResourceLimitError, scriptKey, verdictFor, withDeadline } from '../../host/containment/guard.worker.js'
import type { ScriptDescriptor } from '../../shared/protocol.js'

export interface ServiceProps {
  accountId: string
  script: string
  entrypoint?: string
  /** The binding's props: the target's `ctx.props`. */
  props?: Record<string, unknown>
}

/**
 * A `service` binding: reaches an account-level Worker of the same account, at the binding's
 * entrypoint (the default export unless it names one), whose `ctx.props` are the binding's props.
 */
export class ServiceBinding extends WorkerEntrypoint<HostEnv, ServiceProps> {
  override async fetch(request: Request): Promise<Response> {
    const { entrypoint, props } = this.ctx.props
    return invoke(this.env, this.ctx, await this.#script(), request, { ...(entrypoint ? { entrypoint } : {}), ...(props ? { props } : {}) })
  }

  /**
   * One RPC call of the caller's bindings module (every method other than fetch/connect). The
   * target's stub cannot be handed to the caller (workerd refuses to transfer entrypoints of
   * dynamically loaded Workers), so the call is made here and its result travels back. It runs in
   * the target's isolate with its own bindings, under the same deadline as fetch().
   */
  async rpc(method: string, args: unknown[]): Promise<unknown> {
    const script = await this.#script()
    const verdict = await verdictFor(this.env, scriptKey(script.accountId, script.namespaceId, script.name))
    if (verdict.run === 'refuse') throw new ResourceLimitError(verdict.reason)
    const { entrypoint, props } = this.ctx.props
    const stub = loadWorker(this.env, this.ctx, script).getEntrypoint(entrypoint, props ? { props } : undefined)
    const target = stub as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>
    return withDeadline(target[method]!(...args), 2 * this.env.SETTINGS.wallClockMs)
  }

  async #script(): Promise<ScriptDescriptor> {
    const { accountId, script: name } = this.ctx.props
    const script = await lookupScript(this.env, accountId, '', name)
    if (!script) throw new Error(`Worker not found: ${name}`)
    return script
  }
}
