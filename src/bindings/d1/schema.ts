import { z } from 'zod'
import type { D1DatabaseId } from '../../domain/ids.js'
import { defineBindingKind } from '../kind.js'
import { d1DatabaseIdOf, d1ToHost } from './host.js'
import { d1Internal } from './internal.js'

/** A D1 database of the same account: wrangler sends `id`, Cloudflare's docs also name `database_id`. */
export const D1Binding = z
  .object({
    type: z.literal('d1'),
    name: z.string(),
    id: z.string().min(1).optional(),
    database_id: z.string().min(1).optional(),
  })
  .refine((b) => b.id !== undefined || b.database_id !== undefined, { message: 'binding of type d1 must have a valid `id` specified' })

export const d1 = defineBindingKind({
  schema: D1Binding,
  async check(b, ctx) {
    const id = d1DatabaseIdOf(b)
    const db = await ctx.store.d1.getDatabase(ctx.accountId, id.toLowerCase() as D1DatabaseId)
    if (db) return undefined
    return `D1 database '${id}' of binding '${b.name}' does not exist in this account`
  },
  toHost: d1ToHost,
  internal: d1Internal,
})
