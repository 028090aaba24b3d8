import { entrypointOf } from '../../host/env.worker.js'
import { defineWorkerBindingKind } from '../worker-kind.worker.js'
import { ServiceBinding, type ServiceProps } from './service.worker.js'
import type { ServiceHostBinding } from './wire.js'

/** env.SERVICE: the raw ServiceBinding entrypoint, wrapped in the isolate (fetch, and RPC when allowed). */
export const serviceKind = defineWorkerBindingKind<ServiceHostBinding>({
  type: 'service',
  envValue: (b, d, ctx) =>
    entrypointOf<ServiceProps>(ctx, ServiceBinding)({
      props: {
        accountId: d.accountId,
        script: b.service,
        ...(b.entrypoint ? { entrypoint: b.entrypoint } : {}),
        ...(b.props ? { props: b.props } : {}),
      },
    }),
  wrapper: { module: 'service.js', name: 'serviceOf' },
})
