// The host worker: the front door of every workerd process. It routes an edge request to the
// platform's account-level Worker (usually the dispatch Worker) and exports the entrypoints that
// loaded Workers reach through ctx.exports. Runs inside workerd: no Node APIs, no dependencies.
import type { HostEnv } from './env.worker.js'
import { bodyLimitFor, capBody, declaresTooLarge, invocationsLeft } from './pipeline/edge-limits.worker.js'
import { bodyTooLargeResponse, edgeErrorResponse } from './pipeline/errors.worker.js'
import { invoke, isResourceLimit } from './pipeline/invoke.worker.js'
import { lookupScript, routingTable } from './pipeline/registry.worker.js'
import { newRay, stampRay, withRay } from './pipeline/ray.worker.js'
import { acmeChallenge, customHostnameChallenge, httpsRedirect, resolveTarget } from './pipeline/routing.worker.js'
import { runScheduled } from './pipeline/scheduled.worker.js'
import { rayIdOf } from '../shared/edge-errors.js'

export * from '../bindings/entrypoints.worker.js'
export { Control } from './control.worker.js'
export { Outbound, OutboundWorker } from './pipeline/outbound.worker.js'
export { ProbationGate } from './containment/probation.worker.js'
export { Tail } from './pipeline/tail.worker.js'

export default {
  async fetch(incoming: Request, env: HostEnv, ctx: ExecutionContext<unknown>): Promise<Response> {
    const ray = newRay(env.SETTINGS.colo)
    return stampRay(await serve(withRay(withScheme(incoming), ray), env, ctx, ray), ray)
  },
} satisfies ExportedHandler<HostEnv>

async function serve(request: Request, env: HostEnv, ctx: ExecutionContext<unknown>, ray: string): Promise<Response> {
  const url = new URL(request.url)
  const host = request.headers.get('host') ?? url.host
  const page = { ray, host, accept: request.headers.get('accept') }
  if (invocationsLeft(request) < 1) return edgeErrorResponse('loopLimit', page)
  const table = await routingTable(env)
  const challenge = customHostnameChallenge(table, url, host)
  if (challenge !== undefined) return new Response(challenge, { headers: { 'content-type': 'text/plain' } })
  // ACME answers are served over plain HTTP whatever the zone's settings (the CA fetches them so).
  const acme = acmeChallenge(table, url)
  if (acme !== undefined) return new Response(acme, { headers: { 'content-type': 'application/octet-stream' } })
  const secure = httpsRedirect(table, url, host)
  if (secure !== undefined) return new Response(null, { status: 301, headers: { location: secure } })
  const target = resolveTarget(table, url, host)
  if (!target) return edgeErrorResponse('noWorker', page)
  // Cloudflare hands a custom hostname's metadata to the Worker it reaches (an account script here).
  if (target.hostMetadata) request = new Request(request, { cf: { ...(request.cf ?? {}), hostMetadata: target.hostMetadata } })
  const script = await lookupScript(env, target.accountId, '', target.script)
  if (!script || (target.viaDefaultHostname && !script.workersDev)) return edgeErrorResponse('noWorker', page)
  // The body cap: a declared length is refused before anything runs; a streamed (chunked) body is
  // counted as the Worker reads it, and past the cap the answer is 413 whatever the Worker did.
  if (env.SETTINGS.dev && url.pathname === DEV_SCHEDULED_PATH) return devScheduled(env, ctx, target.accountId, target.script, url)
  const limit = bodyLimitFor(env.SETTINGS, target.accountId)
  if (declaresTooLarge(request, limit)) return bodyTooLargeResponse(page)
  const capped = request.headers.has('content-length') ? { request, tripped: () => false } : capBody(request, limit)
  try {
    const response = await invoke(env, ctx, script, capped.request)
    if (capped.tripped()) return bodyTooLargeResponse(page)
    return response
  } catch (err) {
    if (capped.tripped()) return bodyTooLargeResponse(page)
    // The ray leads the line so an operator can grep Node's log for the id a customer sends in.
    const logged = err instanceof Error ? (err.stack ?? err.message) : String(err)
    console.error(`[ray ${rayIdOf(ray)}] [${target.accountId}/${target.script}] uncaught exception:`, logged)
    // Exception text is the tenant's internals: it reaches the page only in development mode.
    const detailed = env.SETTINGS.dev ? { ...page, exception: exceptionText(err) } : page
    return edgeErrorResponse(isResourceLimit(err) ? 'resourceLimits' : 'workerThrew', detailed)
  }
}

/**
 * A request decrypted by the edge's HTTPS arrives on workerd's `tls` socket, whose x-forwarded-proto
 * (set by the socket, never the client's) says `https`: the Worker sees the URL it was sent to.
 */
function withScheme(request: Request): Request {
  if (request.headers.get('x-forwarded-proto') !== 'https' || !request.url.startsWith('http:')) return request
  return new Request(`https:${request.url.slice('http:'.length)}`, request)
}

/** wrangler dev's way to fire a cron tick by hand; here only in development mode (`start --dev`). */
const DEV_SCHEDULED_PATH = '/cdn-cgi/handler/scheduled'

/** `?cron=<expr>&time=<ms>` → the handler's outcome as text, 200 when it is `ok`, like wrangler dev. */
async function devScheduled(env: HostEnv, ctx: ExecutionContext<unknown>, accountId: string, script: string, url: URL): Promise<Response> {
  const time = Number(url.searchParams.get('time') ?? Date.now())
  const result = await runScheduled(env, ctx, {
    accountId,
    namespaceId: '',
    script,
    cron: url.searchParams.get('cron') ?? '',
    scheduledTime: Number.isFinite(time) ? time : Date.now(),
  })
  return new Response(result.outcome, { status: result.outcome === 'ok' ? 200 : 500 })
}

/**
 * The exception as the host received it. workerd hands an exception across the isolate boundary
 * by name and message only, so its stack holds the host's own frames, not the tenant's: those are
 * dropped (the tenant's stack is in the invocation's trace event, `workerhive logs --ray`).
 */
function exceptionText(err: unknown): string {
  if (!(err instanceof Error)) return String(err)
  const frames = (err.stack ?? '').split('\n').slice(1).filter((line) => !/\((host|shared|bindings)\//.test(line))
  return [`${err.name}: ${err.message}`, ...frames].join('\n')
}
