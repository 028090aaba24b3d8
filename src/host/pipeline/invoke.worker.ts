import { HEADER_INTERNAL_SECRET } from '../../shared/headers.js'
import { CPU_BUDGET_HEADER, CPU_LIMIT_MESSAGE, PROBATION_HEADERS, type ScriptDescriptor } from '../../shared/protocol.js'
import type { HostEnv } from '../env.worker.js'
import { markEnd, markStart, ResourceLimitError, scriptKey, verdictFor, withDeadline } from '../containment/guard.worker.js'
import { beginInvocation, endInvocation } from '../containment/budget.worker.js'
import { countInvocation } from '../containment/counters.worker.js'
import { recordInvocation } from '../containment/usage.worker.js'
import type { UsageStatus } from '../../shared/usage.js'
import { noteUncollectedCpu } from '../containment/cpu-reports.worker.js'
import { noteWallClockKill } from '../containment/wall-clock.worker.js'
import { loadKeyOf, loadWorker, type LoadVariant } from './loader.worker.js'
import { routeWithAssets } from './assets-routing.worker.js'
import { enterLoop, invocationsLeft, leaveLoop } from './edge-limits.worker.js'
import { versionFor } from './versions.worker.js'

export interface InvokeOptions {
  entrypoint?: string
  /** The entrypoint's `ctx.props` (a service binding's props). */
  props?: Record<string, unknown>
  /** Per-dispatch limits (`get(name, args, {limits})`); the lower of these and the script's wins. */
  limits?: { cpuMs?: number; subRequests?: number }
  variant?: LoadVariant
  /** The version of a gradual deployment chosen for this request (kept when forwarded to probation). */
  versionId?: string
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
  // A gradual deployment: the version is picked once per request, then runs like any other (a
  // version's descriptor has no split of its own).
  if (d.split !== undefined) {
    const version = versionFor(d, request, options.versionId)
    return invoke(env, ctx, version, request, { ...options, versionId: version.versionId })
  }
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
  // Its subrequests carry one invocation fewer than this request has left (the loop limit).
  const loadKey = loadKeyOf(d, options.variant)
  const left = invocationsLeft(request)
  enterLoop(loadKey, left)
  try {
    return await runContained(env, ctx, d, options, {
      call: (worker) =>
        worker.getEntrypoint(options.entrypoint, options.props ? { props: options.props } : undefined).fetch(withCpuBudget(d, request, options)),
      meteredInIsolate: isMetered(d, options),
      onProbation: () => forwardToProbation(env, d, request, options),
      usage: {
        bytesIn: contentLength(request.headers),
        measure: (response) => ({ bytesOut: contentLength(response.headers) }),
        cpuAtLimit: () => meteredBudget(d, options),
      },
    })
  } finally {
    leaveLoop(loadKey, left)
  }
}

/** One call into a script's isolate, and what to do instead when the script is on probation. */
export interface ContainedCall<T> {
  call: (worker: WorkerStub) => Promise<T>
  /** The call runs a handler the CPU meter in the isolate measures (fetch, scheduled, queue of a modules-format Worker). */
  meteredInIsolate?: boolean
  onProbation: () => Promise<T>
  /** What the host can tell of the invocation's usage beyond its outcome and wall time. */
  usage?: {
    bytesIn: number
    measure: (result: T) => { bytesOut: number }
    /** The CPU budget (ms) an invocation stopped at its CPU limit used up. */
    cpuAtLimit: () => number | undefined
  }
}

/**
 * Runs one call into a script's isolate under the platform's containment: refused while banned,
 * `onProbation` while on probation, otherwise here with invocation marks, a subrequest budget and
 * a wall-clock deadline.
 */
export async function runContained<T>(
  env: HostEnv,
  ctx: ExecutionContext<unknown>,
  d: ScriptDescriptor,
  options: InvokeOptions,
  { call, meteredInIsolate, onProbation, usage }: ContainedCall<T>,
): Promise<T> {
  const key = scriptKey(d.accountId, d.namespaceId, d.name)
  const verdict = await verdictFor(env, key)
  const metering = env.SETTINGS.usage
  const bytesIn = usage?.bytesIn ?? 0
  if (verdict.run === 'refuse') {
    countInvocation(key, 'exceededResources')
    if (metering) recordInvocation(key, 'refused', { wallUs: 0, bytesIn, bytesOut: 0 })
    throw new ResourceLimitError(verdict.reason)
  }
  if (verdict.run === 'probation' && env.PROBATION) return onProbation()
  const loadKey = loadKeyOf(d, options.variant)
  const subrequests = lowest(d.limits.subRequests, options.limits?.subRequests) ?? env.SETTINGS.subrequestLimit
  // Containment is for tenants: only user Workers are marked. Account-level scripts are the
  // platform's own code, and two fewer stdout writes per request are worth real throughput.
  const marked = d.namespaceId !== ''
  const id = marked ? markStart(env, key) : 0
  beginInvocation(loadKey, subrequests)
  const started = Date.now()
  const ended = (status: UsageStatus, cpuUs: number | undefined, bytesOut: number): void => {
    if (metering) recordInvocation(key, status, { cpuUs, wallUs: (Date.now() - started) * 1000, bytesIn, bytesOut })
  }
  try {
    // Account-level scripts (the platform's dispatch Worker) get twice the deadline of the user
    // Workers they call, so a user Worker's timeout reaches them as a catchable rejection first.
    const deadline = d.namespaceId === '' ? 2 * env.SETTINGS.wallClockMs : env.SETTINGS.wallClockMs
    const result = await withDeadline(call(loadWorker(env, ctx, d, options.variant)), deadline)
    countInvocation(key, 'ok')
    const measured = usage?.measure(result)
    ended('ok', undefined, measured?.bytesOut ?? 0)
    return result
  } catch (thrown) {
    // The CPU meter in the Worker's isolate stopped it: Cloudflare's CPU-limit error.
    const cpu = thrown instanceof Error && thrown.message.endsWith(CPU_LIMIT_MESSAGE)
    const err = cpu ? new ResourceLimitError('cpu') : thrown
    if (cpu) {
      countInvocation(key, 'exceededResources')
      const budget = usage?.cpuAtLimit()
      ended('exceededCpu', budget === undefined ? undefined : budget * 1000, 0)
      throw err
    }
    const wallClock = err instanceof ResourceLimitError && err.reason === 'wall-clock'
    if (wallClock && d.traced) noteWallClockKill(key)
    countInvocation(key, wallClock ? 'exceededWallClock' : err instanceof ResourceLimitError ? 'exceededResources' : 'exception')
    ended(usageStatusOf(err), undefined, 0)
    throw err
  } finally {
    endInvocation(loadKey, subrequests)
    if (marked) markEnd(env, id)
    // The meter keeps the CPU time it charged until the host collects it.
    if (metering && meteredInIsolate) noteUncollectedCpu(loadKey, d, options.variant)
  }
}

/**
 * The request with the invocation's CPU budget for the meter in the Worker's isolate (the lower of
 * the script's and the dispatch's `cpuMs`; see cpu-meter.worker.ts). A client's own header of that
 * name never reaches the Worker: it is replaced or removed.
 */
function withCpuBudget(d: ScriptDescriptor, request: Request, options: InvokeOptions): Request {
  // With usage metering on, the meter measures invocations without a budget too (cpu-meter.worker.ts).
  const budget = meteredBudget(d, options)
  if (budget === undefined && !request.headers.has(CPU_BUDGET_HEADER)) return request
  const headers = new Headers(request.headers)
  if (budget === undefined) headers.delete(CPU_BUDGET_HEADER)
  else headers.set(CPU_BUDGET_HEADER, String(budget))
  return new Request(request, { headers })
}

/** Only a modules-format Worker's default fetch handler is metered (docs/limits.md). */
const isMetered = (d: ScriptDescriptor, options: InvokeOptions): boolean => options.entrypoint === undefined && d.format !== 'service-worker'

/** The invocation's CPU limit in ms (the lower of the script's and the dispatch's), if it is metered and has one. */
const meteredBudget = (d: ScriptDescriptor, options: InvokeOptions): number | undefined =>
  isMetered(d, options) ? lowest(d.limits.cpuMs, options.limits?.cpuMs) : undefined

/** How an invocation that threw ended, for usage records (the CPU limit is told apart before). */
function usageStatusOf(err: unknown): UsageStatus {
  if (!(err instanceof ResourceLimitError)) return 'exception'
  if (err.reason === 'wall-clock') return 'exceededWallClock'
  if (err.reason === 'memory') return 'exceededMemory'
  // The probation process died under it: the watchdog killed it for CPU (memory says so above).
  if (err.reason === 'unknown' || err.reason === 'cpu') return 'exceededCpu'
  return 'exception'
}

/** A body's declared size; a streamed body without Content-Length counts 0 (docs/usage.md). */
function contentLength(headers: Headers): number {
  const n = Number(headers.get('content-length') ?? 0)
  return Number.isFinite(n) && n > 0 ? n : 0
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
