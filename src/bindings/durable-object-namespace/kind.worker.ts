import { entrypointOf } from '../../host/env.worker.js'
import { defineWorkerBindingKind } from '../worker-kind.worker.js'
import { DurableObjectBinding, type DurableObjectBindingProps } from './durable-object.worker.js'
import type { DurableObjectHostBinding } from './wire.js'

/**
 * env.COUNTER: the raw DurableObjectBinding entrypoint, wrapped in the isolate into Cloudflare's
 * DurableObjectNamespace (ids are made there, so the wrapper is given the namespace id).
 */
export const durableObjectKind = defineWorkerBindingKind<DurableObjectHostBinding>({
  type: 'durable_object_namespace',
  envValue: (b, d, ctx, caller) =>
    entrypointOf<DurableObjectBindingProps>(ctx, DurableObjectBinding)({ props: { accountId: d.accountId, namespaceId: b.namespaceId, caller } }),
  wrapper: { module: 'durable-object-namespace.js', name: 'durableObjectNamespaceOf' },
  wrapperSpec: (b) => b.namespaceId,
})
