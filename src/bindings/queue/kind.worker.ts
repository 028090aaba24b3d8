import { entrypointOf } from '../../host/env.worker.js'
import { defineWorkerBindingKind } from '../worker-kind.worker.js'
import { QueueProducer, type QueueProps } from './queue.worker.js'
import type { QueueHostBinding } from './wire.js'

/** env.QUEUE: the raw QueueProducer entrypoint, wrapped in the isolate into Cloudflare's Queue. */
export const queueKind = defineWorkerBindingKind<QueueHostBinding>({
  type: 'queue',
  envValue: (b, d, ctx, caller) =>
    entrypointOf<QueueProps>(ctx, QueueProducer)({ props: { accountId: d.accountId, queueName: b.queueName, namespaceId: d.namespaceId, script: d.name, caller } }),
  wrapper: { module: 'queue-producer.js', name: 'queueProducerOf' },
})
