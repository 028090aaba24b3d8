import { WorkerEntrypoint } from 'cloudflare:workers'
import { takeSubrequest } from '../containment/budget.worker.js'
import { forwardCacheCall, isCacheCall } from './cache.worker.js'
import type { HostEnv, OutboundWorkerProps, ScriptProps } from '../env.worker.js'
import { HEADER_LOOP, subrequestLoopCount } from './edge-limits.worker.js'
import { ResourceLimitError, scriptKey } from '../containment/guard.worker.js'
import { recordUsage } from '../containment/usage.worker.js'
import { invoke } from './invoke.worker.js'
import { lookupScript } from './registry.worker.js'

/**
 * Every fetch() a loaded Worker makes lands here (its globalOutbound). The request goes out only
 * through INTERNET, workerd's network service that allows public addresses alone, so loopback,
 * private ranges, link-local and metadata addresses are refused before any connection is made.
 * It has no connect() handler on purpose: raw TCP from user Workers fails at `opened` (it would
 * need an egress policy of its own), as it does with an Outbound Worker on Cloudflare.
 */
export class Outbound extends WorkerEntrypoint<HostEnv, ScriptProps> {
  override async fetch(request: Request): Promise<Response> {
    countSubrequest(this.env, this.ctx.props)
    if (isCacheCall(request)) return forwardCacheCall(this.env, this.ctx.props, request)
    const network = networkFor(this.env, this.ctx.props, new URL(request.url))
    try {
      return await network.fetch(withLoopCount(request, this.ctx.props.loadKey))
    } catch (err) {
      // workerd refuses non-public addresses with an opaque "internal error"; say what happened.
      const host = new URL(request.url).host
      throw new Error(`Subrequest to ${host} failed: Workers can reach public internet addresses only`, { cause: err })
    }
  }
}

/**
 * The network a subrequest leaves through: the public internet, or for an account script (the
 * platform's own code, never a user Worker in a namespace) to a port of the operator's private
 * allow-list, the network that also allows that port's private ranges.
 */
function networkFor(env: HostEnv, props: ScriptProps, url: URL): Fetcher {
  if (props.namespaceId !== '') return env.INTERNET
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80))
  return (env.SETTINGS.privatePorts.includes(port) ? env[`PRIVATE_${port}`] : undefined) ?? env.INTERNET
}

/** The subrequest with the loop count set by the platform, whatever the Worker put there. */
function withLoopCount(request: Request, loadKey: string | undefined): Request {
  const headers = new Headers(request.headers)
  headers.set(HEADER_LOOP, String(subrequestLoopCount(loadKey)))
  return new Request(request, { headers })
}

/**
 * globalOutbound of user Workers whose namespace declares an Outbound Worker: every fetch() goes to
 * that account-level Worker instead, with the dispatch's params on its env (Cloudflare's Outbound
 * Workers). connect() is refused in this mode, as on Cloudflare.
 */
export class OutboundWorker extends WorkerEntrypoint<HostEnv, OutboundWorkerProps> {
  override async fetch(request: Request): Promise<Response> {
    // The Cache API is not egress: it never goes through the namespace's Outbound Worker.
    countSubrequest(this.env, this.ctx.props)
    if (isCacheCall(request)) return forwardCacheCall(this.env, this.ctx.props, request)
    const { accountId, target } = this.ctx.props
    const script = await lookupScript(this.env, accountId, '', target.service)
    if (!script) throw new Error(`Outbound Worker not found: ${target.service}`)
    return invoke(this.env, this.ctx, script, withLoopCount(request, this.ctx.props.loadKey), {
      ...(target.entrypoint ? { entrypoint: target.entrypoint } : {}),
      variant: { extraEnv: target.params },
    })
  }
}

function countSubrequest(env: HostEnv, props: ScriptProps): void {
  if (props.loadKey && !takeSubrequest(props.loadKey)) throw new ResourceLimitError('subrequests')
  if (env.SETTINGS.usage) recordUsage(scriptKey(props.accountId, props.namespaceId, props.script), { subrequests: 1 })
}
