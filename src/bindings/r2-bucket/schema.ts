import { z } from 'zod'
import { defineBindingKind } from '../kind.js'
import { r2ToHost } from './host.js'
import { r2Internal } from './internal.js'

/** An R2 bucket of the same account, by name (`[[r2_buckets]] bucket_name`). */
export const R2BucketBinding = z.object({
  type: z.literal('r2_bucket'),
  name: z.string(),
  bucket_name: z.string().min(1),
  jurisdiction: z.string().optional(),
})

export const r2Bucket = defineBindingKind({
  schema: R2BucketBinding,
  async check(b, ctx) {
    if (b.jurisdiction !== undefined && b.jurisdiction !== '' && b.jurisdiction !== 'default')
      return `R2 bucket '${b.bucket_name}' of binding '${b.name}': jurisdiction '${b.jurisdiction}' is not available here`
    if (await ctx.store.r2.getBucket(ctx.accountId, b.bucket_name)) return undefined
    return `R2 bucket '${b.bucket_name}' of binding '${b.name}' does not exist in this account`
  },
  toHost: r2ToHost,
  internal: r2Internal,
})
