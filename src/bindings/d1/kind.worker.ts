import { entrypointOf } from '../../host/env.worker.js'
import { defineWorkerBindingKind } from '../worker-kind.worker.js'
import { D1Binding, type D1Props } from './d1.worker.js'
import type { D1HostBinding } from './wire.js'

/** env.DB: the raw D1Binding entrypoint, wrapped in the isolate into Cloudflare's D1Database. */
export const d1Kind = defineWorkerBindingKind<D1HostBinding>({
  type: 'd1',
  envValue: (b, d, ctx, caller) => entrypointOf<D1Props>(ctx, D1Binding)({ props: { accountId: d.accountId, databaseId: b.databaseId, caller } }),
  wrapper: { module: 'd1-database.js', name: 'd1DatabaseOf' },
})
