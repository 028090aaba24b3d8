import { entrypointOf } from '../../host/env.worker.js'
import { defineWorkerBindingKind } from '../worker-kind.worker.js'
import { DispatchNamespace, type DispatchProps } from './dispatch.worker.js'
import type { DispatchHostBinding } from './wire.js'

/** env.dispatcher: the raw DispatchNamespace entrypoint, wrapped in the isolate (isolate/dispatch-namespace.ts). */
export const dispatchKind = defineWorkerBindingKind<DispatchHostBinding>({
  type: 'dispatch',
  envValue: (b, d, ctx) =>
    entrypointOf<DispatchProps>(ctx, DispatchNamespace)({
      props: {
        accountId: d.accountId,
        namespaceId: b.namespaceId,
        namespaceName: b.namespaceName,
        ...(b.outbound ? { outbound: b.outbound } : {}),
      },
    }),
  wrapper: { module: 'dispatch-namespace.js', name: 'dispatchNamespaceOf' },
})
