import { entrypointOf } from '../../host/env.worker.js'
import { defineWorkerBindingKind } from '../worker-kind.worker.js'
import { R2BucketBinding, type R2Props } from './r2.worker.js'
import type { R2HostBinding } from './wire.js'

/** env.BUCKET: the raw R2BucketBinding entrypoint, wrapped in the isolate into Cloudflare's R2Bucket. */
export const r2Kind = defineWorkerBindingKind<R2HostBinding>({
  type: 'r2',
  envValue: (b, d, ctx, caller) => entrypointOf<R2Props>(ctx, R2BucketBinding)({ props: { accountId: d.accountId, bucket: b.bucket, caller } }),
  wrapper: { module: 'r2-bucket.js', name: 'r2BucketOf' },
})
