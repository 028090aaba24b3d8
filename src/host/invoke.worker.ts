import { HEADER_INTERNAL_SECRET } from './shared/headers.js'
import { PROBATION_HEADERS, type ScriptDescriptor } from './shared/protocol.js'
import type { HostEnv } from './env.worker.js'
import { markEnd, markStart, ResourceLimitError, scriptKey, verdictFor, withDeadline } from './guard.worker.js'
import { beginInvocation, endInvocation } from './budget.worker.js'
import { countInvocation } from './counters.worker.js'
import { loadKeyOf, loadWorker, type LoadVariant } from './loader.worker.js'
import { routeWithAssets } from './assets.worker.js'

export interface InvokeOptions {
  entrypoint?: string
  /** The entrypoint's `ctx.props` (a service binding's props). */
  props?: Record<string, unknown>
  /** Per-dispatch limits (`get(name, args, {limits})`); the lower of these and the script's wins. */
  limits?: { cpuMs?: number; subRequests?: number }
  variant?: LoadVariant
}

const EXCEPTION_HEADER = 'x-workerhive-exception'

/**
 * Runs one invocation of a script under the platform's containment: refused while banned, sent to
 * the probation process while on probation, otherwise run here with invocation marks and a
 * wall-clock deadline.
 */
export async function invoke(
  env: HostEnv,
  ctx: ExecutionContext<unknown>,
  d: ScriptDescriptor,
  request: Request,
  options: InvokeOptions = {},
): Promise<Response> {
  // A script with static assets: the assets may answer before (or instead of) the Worker.
  if (d.assets && options.entrypoint === undefined) {
    return routeWithAssets(env, d, request, () => invokeWorker(env, ctx, d, request, options))
  }
  return invokeWorker(env, ctx, d, request, options)
}

async function invokeWorker(
  env: HostEnv,
  ctx: ExecutionContext<unknown>,
  d: ScriptDescriptor,
  request: Request,
  options: InvokeOptions,
): Promise<Response> {
  if (d.mainModule === '') throw new Error(`Worker ${d.name} has no code: it only serves static assets`)
  const key = scriptKey(d.accountId, d.namespaceId, d.name)
  const verdict = await verdictFor(env, key)
  if (verdict.run === 'refuse') {
    countInvocation(key, 'exceededResources')
    throw new ResourceLimitError(verdict.reason)
  }
  if (verdict.run === 'probation' && env.PROBATION) return forwardToProbation(env, d, request, options)
  const loadKey = loadKeyOf(d, options.variant)
  const subrequests = lowest(d.limits.subRequests, options.limits?.subRequests) ?? env.SETTINGS.subrequestLimit
  // Containment is for tenants: only user Workers are marked. Account-level scripts are the
  // platform's own code, and two fewer stdout writes per request are worth real throughput.
  const marked = d.namespaceId !== ''
  const id = marked ? markStart(env, key) : 0
  beginInvocation(loadKey, subrequests)
  try {
    const stub = loadWorker(env, ctx, d, options.variant).getEntrypoint(options.entrypoint, options.props ? { props: options.props } : undefined)
    // Account-level scripts (the platform's dispatch Worker) get twice the deadline of the user
    // Workers they call, so a user Worker's timeout reaches them as a catchable rejection first.
    const deadline = d.namespaceId === '' ? 2 * env.SETTINGS.wallClockMs : env.SETTINGS.wallClockMs
    const response = await withDeadline(stub.fetch(request), deadline)
    countInvocation(key, 'ok')
    return response
  } catch (err) {
    countInvocation(key, err instanceof ResourceLimitError ? 'exceededResources' : 'exception')
    throw err
  } finally {
    endInvocation(loadKey, subrequests)
    if (marked) markEnd(env, id)
  }
}

const lowest = (a: number | undefined, b: number | undefined): number | undefined =>
  a === undefined ? b : b === undefined ? a : Math.min(a, b)

async function forwardToProbation(env: HostEnv, d: ScriptDescriptor, request: Request, options: InvokeOptions): Promise<Response> {
  const headers = new Headers(request.headers)
  headers.set(PROBATION_HEADERS.options, JSON.stringify(options))
  headers.set(PROBATION_HEADERS.account, d.accountId)
  headers.set(PROBATION_HEADERS.namespace, d.namespaceId)
  headers.set(PROBATION_HEADERS.script, d.name)
  headers.set(HEADER_INTERNAL_SECRET, env.INTERNAL_SECRET)
  let response: Response
  try {
    response = await env.PROBATION!.fetch(new Request(request, { headers }))
  } catch {
    // The probation process died or was killed while running it: the script broke a limit (which
    // one, the watchdog decides; a later invocation is refused with that reason).
    throw new ResourceLimitError('unknown')
  }
  if (response.headers.get(EXCEPTION_HEADER) !== null) {
    const reason = response.headers.get(EXCEPTION_HEADER)!
    const message = await response.text()
    throw reason === 'limits' ? new ResourceLimitError(message) : new Error(message)
  }
  return response
}

/** The probation side of forwardToProbation: an exception travels back as a marked response. */
export function exceptionResponse(err: unknown): Response {
  if (err instanceof ResourceLimitError) return new Response(err.message, { status: 503, headers: { [EXCEPTION_HEADER]: 'limits' } })
  const message = err instanceof Error ? err.message : String(err)
  return new Response(message, { status: 500, headers: { [EXCEPTION_HEADER]: 'exception' } })
}

export const isResourceLimit = (err: unknown): boolean => err instanceof ResourceLimitError
