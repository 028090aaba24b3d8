import { WorkerEntrypoint } from 'cloudflare:workers'
import { entrypointOf, type HostEnv, type OutboundTarget } from '../../host/env.worker.js'
import { invoke } from '../../host/pipeline/invoke.worker.js'
import { lookupScript } from '../../host/pipeline/registry.worker.js'
import { DISPATCH_HEADER, type DeclaredOutbound } from './wire.js'

export interface DispatchProps {
  accountId: string
  namespaceId: string
  namespaceName: string
  outbound?: DeclaredOutbound
}

export interface UserWorkerProps {
  accountId: string
  namespaceId: string
  name: string
  limits?: { cpuMs?: number; subRequests?: number }
  outbound?: OutboundTarget
}

type DispatchOptions = { limits?: { cpuMs?: number; subRequests?: number }; outbound?: Record<string, unknown> }

/**
 * `env.dispatcher` of a dispatch Worker. The shim in the dispatch Worker's isolate (see
 * isolate/dispatch-namespace.ts) gives customer code a local, synchronous `get()` that never throws,
 * whose Fetcher calls `fetch()` here once, with the name and options in a header. `get()` as an RPC
 * method remains for a raw binding that escaped the shim (under dates with RPC): it returns a
 * Fetcher synchronously (an RpcPromise that pipelines `.fetch()`). Either way a missing
 * script surfaces when `fetch()` runs, as on Cloudflare (cloudflare/workerd#5263).
 */
export class DispatchNamespace extends WorkerEntrypoint<HostEnv, DispatchProps> {
  get(name: unknown, _args?: unknown, options?: DispatchOptions): Fetcher {
    return entrypointOf<UserWorkerProps>(this.ctx, UserWorker)({ props: this.#target(String(name), options) })
  }

  override async fetch(request: Request): Promise<Response> {
    const raw = request.headers.get(DISPATCH_HEADER)
    if (raw === null) throw new Error('Use env.<binding>.get(name).fetch(request) to reach a user Worker')
    const { name, options } = JSON.parse(raw) as { name: string; options?: DispatchOptions }
    const headers = new Headers(request.headers)
    headers.delete(DISPATCH_HEADER)
    return runUserWorker(this.env, this.ctx, this.#target(name, options), request, headers)
  }

  #target(name: string, options: DispatchOptions | undefined): UserWorkerProps {
    const declared = this.ctx.props.outbound
    return {
      accountId: this.ctx.props.accountId,
      namespaceId: this.ctx.props.namespaceId,
      name,
      ...(options?.limits ? { limits: { ...options.limits } } : {}),
      ...(declared ? { outbound: outboundTarget(declared, options?.outbound) } : {}),
    }
  }
}

/** `headers`: the gateway's copy of the request's headers, without its own header. */
async function runUserWorker(
  env: HostEnv,
  ctx: ExecutionContext<unknown>,
  target: UserWorkerProps,
  request: Request,
  headers?: Headers,
): Promise<Response> {
  const script = await lookupScript(env, target.accountId, target.namespaceId, target.name)
  // Dispatch code written for Cloudflare checks this exact prefix.
  if (!script) throw new Error(`Worker not found: ${target.name}`)
  return invoke(env, ctx, script, forwardedRequest(request, headers, script.trusted), {
    ...(target.limits ? { limits: target.limits } : {}),
    ...(target.outbound ? { variant: { outbound: target.outbound } } : {}),
  })
}

/** One user Worker of a namespace, as the dispatch Worker's Fetcher sees it. */
export class UserWorker extends WorkerEntrypoint<HostEnv, UserWorkerProps> {
  override fetch(request: Request): Promise<Response> {
    return runUserWorker(this.env, this.ctx, this.ctx.props, request)
  }
}

/** Only the params the binding declared reach the Outbound Worker (Cloudflare's `parameters`). */
function outboundTarget(
  declared: DeclaredOutbound,
  given: Record<string, unknown> | undefined,
): OutboundTarget {
  const params: Record<string, unknown> = {}
  for (const name of declared.params) if (given && name in given) params[name] = given[name]
  return { service: declared.service, ...(declared.entrypoint ? { entrypoint: declared.entrypoint } : {}), params }
}

/**
 * The request a user Worker gets, copied at most once: `headers` (if given) replace its own, and an
 * untrusted Worker never sees request.cf (Cloudflare's default for dispatch namespaces).
 */
function forwardedRequest(request: Request, headers: Headers | undefined, trusted: boolean): Request {
  if (trusted || request.cf === undefined) return headers ? new Request(request, { headers }) : request
  return new Request(request.url, {
    method: request.method,
    headers: headers ?? request.headers,
    body: request.body,
    redirect: request.redirect,
  })
}
