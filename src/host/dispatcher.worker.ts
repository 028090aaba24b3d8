import { WorkerEntrypoint } from 'cloudflare:workers'
import { hostExports, type DispatchProps, type HostEnv, type OutboundTarget, type ServiceProps, type UserWorkerProps } from './env.worker.js'
import { invoke } from './invoke.worker.js'
import { lookupScript } from './registry.worker.js'

/**
 * `env.dispatcher` of a dispatch Worker. `get()` is an RPC call, so the customer's code receives
 * an RpcPromise synchronously and `get(name).fetch(req)` pipelines without an await; it never
 * throws: a missing script surfaces when `fetch()` runs, as on Cloudflare (cloudflare/workerd#5263).
 */
export class DispatchNamespace extends WorkerEntrypoint<HostEnv, DispatchProps> {
  get(name: unknown, _args?: unknown, options?: { limits?: { cpuMs?: number; subRequests?: number }; outbound?: Record<string, unknown> }): Fetcher {
    const declared = this.ctx.props.outbound
    const props: UserWorkerProps = {
      accountId: this.ctx.props.accountId,
      namespaceId: this.ctx.props.namespaceId,
      name: String(name),
      ...(options?.limits ? { limits: { ...options.limits } } : {}),
      ...(declared ? { outbound: outboundTarget(declared, options?.outbound) } : {}),
    }
    return hostExports(this.ctx).UserWorker({ props })
  }
}

/** One user Worker of a namespace, as the dispatch Worker's Fetcher sees it. */
export class UserWorker extends WorkerEntrypoint<HostEnv, UserWorkerProps> {
  override async fetch(request: Request): Promise<Response> {
    const { accountId, namespaceId, name } = this.ctx.props
    const script = await lookupScript(this.env, accountId, namespaceId, name)
    // Dispatch code written for Cloudflare checks this exact prefix.
    if (!script) throw new Error(`Worker not found: ${name}`)
    const { limits, outbound } = this.ctx.props
    return invoke(this.env, this.ctx, script, script.trusted ? request : withoutCf(request), {
      ...(limits ? { limits } : {}),
      ...(outbound ? { variant: { outbound } } : {}),
    })
  }
}

/** A `service` binding: reaches an account-level Worker of the same account. */
export class ServiceBinding extends WorkerEntrypoint<HostEnv, ServiceProps> {
  override async fetch(request: Request): Promise<Response> {
    const { accountId, script: name, entrypoint } = this.ctx.props
    const script = await lookupScript(this.env, accountId, '', name)
    if (!script) throw new Error(`Worker not found: ${name}`)
    return invoke(this.env, this.ctx, script, request, entrypoint ? { entrypoint } : {})
  }
}

/** Only the params the binding declared reach the Outbound Worker (Cloudflare's `parameters`). */
function outboundTarget(
  declared: NonNullable<DispatchProps['outbound']>,
  given: Record<string, unknown> | undefined,
): OutboundTarget {
  const params: Record<string, unknown> = {}
  for (const name of declared.params) if (given && name in given) params[name] = given[name]
  return { service: declared.service, ...(declared.entrypoint ? { entrypoint: declared.entrypoint } : {}), params }
}

/** Untrusted user Workers never see request.cf (Cloudflare's default for dispatch namespaces). */
function withoutCf(request: Request): Request {
  if (request.cf === undefined) return request
  return new Request(request.url, {
    method: request.method,
    headers: request.headers,
    body: request.body,
    redirect: request.redirect,
  })
}
