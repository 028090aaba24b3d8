import { WorkerEntrypoint } from 'cloudflare:workers'
import type { HostEnv, ScriptProps } from './env.worker.js'

/**
 * Every fetch() a loaded Worker makes lands here (its globalOutbound). The request goes out only
 * through INTERNET, workerd's network service that allows public addresses alone, so loopback,
 * private ranges, link-local and metadata addresses are refused before any connection is made.
 */
export class Outbound extends WorkerEntrypoint<HostEnv, ScriptProps> {
  override async fetch(request: Request): Promise<Response> {
    try {
      return await this.env.INTERNET.fetch(request)
    } catch (err) {
      // workerd refuses non-public addresses with an opaque "internal error"; say what happened.
      const host = new URL(request.url).host
      throw new Error(`Subrequest to ${host} failed: Workers can reach public internet addresses only`, { cause: err })
    }
  }

  override connect(): never {
    // Raw TCP would need its own egress policy; until it has one, it is refused (as with an
    // Outbound Worker on Cloudflare).
    throw new Error('connect() is not available to Workers on this platform')
  }
}
