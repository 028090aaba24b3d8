import { entrypointOf } from '../../host/env.worker.js'
import { defineWorkerBindingKind } from '../worker-kind.worker.js'
import { KvNamespace, type KvProps } from './kv.worker.js'
import type { KvHostBinding } from './wire.js'

/** env.KV: the raw KvNamespace entrypoint, wrapped in the isolate into Cloudflare's KVNamespace. */
export const kvKind = defineWorkerBindingKind<KvHostBinding>({
  type: 'kv',
  envValue: (b, d, ctx, caller) => entrypointOf<KvProps>(ctx, KvNamespace)({ props: { accountId: d.accountId, namespaceId: b.namespaceId, caller } }),
  wrapper: { module: 'kv-namespace.js', name: 'kvNamespaceOf' },
})
