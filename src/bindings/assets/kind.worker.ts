import { entrypointOf } from '../../host/env.worker.js'
import { defineWorkerBindingKind } from '../worker-kind.worker.js'
import { Assets, type AssetsProps } from './assets.worker.js'
import type { AssetsHostBinding } from './wire.js'

export const assetsKind = defineWorkerBindingKind<AssetsHostBinding>({
  type: 'assets',
  envValue: (_b, d, ctx) => entrypointOf<AssetsProps>(ctx, Assets)({ props: { accountId: d.accountId, versionId: d.versionId } }),
})
