import { WIRE, wireUrl, type EventBatch } from '../../shared/wire.js'
import { WorkerEntrypoint } from 'cloudflare:workers'
import { internalFetch } from '../internal-api.worker.js'
import type { HostEnv, ScriptProps } from '../env.worker.js'
import { scriptKey } from '../containment/guard.worker.js'
import { lookupScript } from './registry.worker.js'
import { asTailEvent, deliverToConsumers, type TraceData } from './tail-consumers.worker.js'
import { relabelWallClockKills } from '../containment/wall-clock.worker.js'
import { TENANT_LOG_TAG } from '../../shared/protocol.js'
import { CPU_REPORT_ENTRYPOINT } from '../../shared/usage.js'

/**
 * Receives the trace events of every traced Worker: hands them to Node for logs and live tails,
 * and to the script's Tail Workers.
 */
export class Tail extends WorkerEntrypoint<HostEnv, ScriptProps> {
  override async tail(traced: TraceItem[]): Promise<void> {
    // The host collecting the CPU meter's figures is not the tenant's invocation.
    const events = traced.filter((e) => e.entrypoint !== CPU_REPORT_ENTRYPOINT)
    if (events.length === 0) return
    const { accountId, namespaceId, script } = this.ctx.props
    const relabelled = relabelWallClockKills(scriptKey(accountId, namespaceId, script), events)
    const data = (JSON.parse(JSON.stringify(relabelled)) as TraceData[]).map((e) => asTailEvent(withoutLogTags(e), this.ctx.props))
    await Promise.all([this.#publish(data), this.#deliver(data)])
  }

  async #publish(events: TraceData[]): Promise<void> {
    const { accountId, namespaceId, script } = this.ctx.props
    const batch: EventBatch = { accountId, namespaceId, script, events }
    const body = JSON.stringify(batch)
    const res = await internalFetch(this.env, wireUrl(WIRE.events, {}), {
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

/** The event's console lines as the Worker logged them, without the tag its console module adds. */
function withoutLogTags(event: TraceData): TraceData {
  const logs = event.logs as Array<{ message?: unknown[] }> | undefined
  for (const log of logs ?? []) {
    const first = log.message?.[0]
    if (typeof first === 'string' && first.startsWith(TENANT_LOG_TAG)) log.message!.shift()
  }
  return event
}
