import { WorkerEntrypoint } from 'cloudflare:workers'
import { INTERNAL } from '../shared/protocol.js'
import { internalFetch } from './internal-api.worker.js'
import type { HostEnv, ScriptProps } from './env.worker.js'
import { scriptKey } from './guard.worker.js'
import { lookupScript } from './registry.worker.js'
import { asTailEvent, deliverToConsumers, type TraceData } from './tail-consumers.worker.js'
import { relabelWallClockKills } from './wall-clock.worker.js'

/**
 * Receives the trace events of every traced Worker: hands them to Node for logs and live tails,
 * and to the script's Tail Workers.
 */
export class Tail extends WorkerEntrypoint<HostEnv, ScriptProps> {
  override async tail(events: TraceItem[]): Promise<void> {
    const { accountId, namespaceId, script } = this.ctx.props
    const relabelled = relabelWallClockKills(scriptKey(accountId, namespaceId, script), events)
    const data = (JSON.parse(JSON.stringify(relabelled)) as TraceData[]).map((e) => asTailEvent(e, this.ctx.props))
    await Promise.all([this.#publish(data), this.#deliver(data)])
  }

  async #publish(events: TraceData[]): Promise<void> {
    const body = JSON.stringify({ ...this.ctx.props, events })
    const res = await internalFetch(this.env, INTERNAL.events, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json' },
    })
    await res.body?.cancel()
  }

  async #deliver(events: TraceData[]): Promise<void> {
    const { accountId, namespaceId, script } = this.ctx.props
    const producer = await lookupScript(this.env, accountId, namespaceId, script)
    if (producer) await deliverToConsumers(this.env, this.ctx, producer, events)
  }
}
