import { WorkerEntrypoint } from 'cloudflare:workers'
import { INTERNAL } from './shared/protocol.js'
import { internalFetch } from './internal-api.worker.js'
import type { HostEnv, ScriptProps } from './env.worker.js'
import { scriptKey } from './guard.worker.js'
import { relabelWallClockKills } from './wall-clock.worker.js'

/** Receives the trace events of every loaded Worker and hands them to Node for logs and tails. */
export class Tail extends WorkerEntrypoint<HostEnv, ScriptProps> {
  override async tail(events: TraceItem[]): Promise<void> {
    const { accountId, namespaceId, script } = this.ctx.props
    const body = JSON.stringify({ ...this.ctx.props, events: relabelWallClockKills(scriptKey(accountId, namespaceId, script), events) })
    const res = await internalFetch(this.env, INTERNAL.events, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json' },
    })
    await res.body?.cancel()
  }
}
