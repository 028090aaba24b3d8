import { WorkerEntrypoint } from 'cloudflare:workers'
import { wireUrl } from '../../shared/wire.js'
import { internalFetch } from '../../host/internal-api.worker.js'
import type { HostEnv } from '../../host/env.worker.js'
import { countBindingCall, type BindingCaller } from '../../host/containment/binding-calls.worker.js'
import { QUEUE_WIRE } from './wire.js'

export interface QueueProps {
  accountId: string
  queueName: string
  /** The producing script, for metering. */
  namespaceId: string
  script: string
  /** The producing script's usage key and isolate: a send is one of its subrequests. */
  caller: BindingCaller
}

/**
 * A queue producer binding. Customer code sees the Queue of isolate/queue-producer.ts, which calls
 * fetch() here with a batch it already encoded; the batch goes on to Node's queue service under this
 * binding's account and queue (from its props, never from the request).
 */
export class QueueProducer extends WorkerEntrypoint<HostEnv, QueueProps> {
  override async fetch(request: Request): Promise<Response> {
    if (request.method !== 'POST' || new URL(request.url).pathname !== '/send') return new Response('Unknown queue operation', { status: 404 })
    const { accountId, queueName, namespaceId, script } = this.ctx.props
    // The message operations themselves are counted by Node's queue service (src/queues/meter.ts).
    countBindingCall(this.env, this.ctx.props.caller)
    const path = wireUrl(QUEUE_WIRE.send, { account: accountId, queue: queueName }, new URLSearchParams({ ns: namespaceId, script }))
    return internalFetch(this.env, path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: request.body })
  }
}
