import { WIRE, wireUrl } from '../../shared/wire.js'
import { internalFetch } from '../internal-api.worker.js'
import type { HostEnv } from '../env.worker.js'
import { globMatches } from '../../shared/glob.js'
import { ASSET_HEADERS, ASSET_REQUEST_HEADERS, type ScriptDescriptor } from '../../shared/protocol.js'

/**
 * router: an asset, else the Worker; assets: a `!` rule of run_worker_first kept the path for
 * assets (no Worker, not-found handling applies); binding: `env.ASSETS.fetch()`.
 */
export type AssetMode = 'router' | 'binding' | 'assets'

/**
 * A request to a script with static assets, routed as Cloudflare's router does: run_worker_first
 * (all, or by path rules, `!` rules keeping paths for assets) sends it straight to the Worker;
 * otherwise Node's asset pipeline answers, or says the Worker should (no asset, redirect or
 * fallback claims the path). Only the request's URL and a few headers leave for Node; the body stays
 * for the Worker.
 */
export async function routeWithAssets(
  env: HostEnv,
  d: ScriptDescriptor,
  request: Request,
  runWorker: () => Promise<Response>,
): Promise<Response> {
  const routing = d.assets!
  const path = new URL(request.url).pathname
  let mode: AssetMode = 'router'
  if (routing.hasWorker) {
    const first = routing.runWorkerFirst
    if (first === true) return runWorker()
    if (typeof first === 'object') {
      if (first.asset.some((glob) => globMatches(glob, path))) mode = 'assets'
      else if (first.worker.some((glob) => globMatches(glob, path))) return runWorker()
    }
  }
  const response = await askForAsset(env, d.accountId, d.versionId, request, mode)
  if (response.headers.get(ASSET_HEADERS.outcome) === 'worker') return runWorker()
  return response
}

/** Asks Node's asset pipeline (`binding`: `env.ASSETS.fetch()`, see bindings/assets). */
export async function askForAsset(env: HostEnv, accountId: string, versionId: string, request: Request, mode: AssetMode): Promise<Response> {
  const query = { mode, url: request.url, method: request.method }
  const headers = new Headers()
  for (const name of ASSET_REQUEST_HEADERS) {
    const value = request.headers.get(name)
    if (value !== null) headers.set(name, value)
  }
  if (request.headers.has('authorization')) headers.set(ASSET_HEADERS.authorized, '1')
  const res = await internalFetch(env, wireUrl(WIRE.assets, { account: accountId, version: versionId }, query), { headers })
  if (!res.ok && res.status >= 500) throw new Error(`static assets unavailable (${res.status})`)
  if (res.headers.get(ASSET_HEADERS.outcome) === null) return new Response(null, { status: 404 })
  const out = new Response(res.body, res)
  if (out.headers.get(ASSET_HEADERS.outcome) === 'served') out.headers.delete(ASSET_HEADERS.outcome)
  return out
}
