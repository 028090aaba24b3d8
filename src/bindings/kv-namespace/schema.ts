import { z } from 'zod'
import type { KvNamespaceId } from '../../domain/ids.js'
import { defineBindingKind } from '../kind.js'
import { kvToHost } from './host.js'
import { kvInternal } from './internal.js'

/** A Workers KV namespace of the same account. */
export const KvNamespaceBinding = z.object({
  type: z.literal('kv_namespace'),
  name: z.string(),
  namespace_id: z.string().min(1),
})

export const kvNamespace = defineBindingKind({
  schema: KvNamespaceBinding,
  async check(b, ctx) {
    const ns = await ctx.store.kv.getNamespace(ctx.accountId, b.namespace_id as KvNamespaceId)
    if (ns) return undefined
    return `KV namespace '${b.namespace_id}' of binding '${b.name}' does not exist in this account`
  },
  toHost: kvToHost,
  internal: kvInternal,
})
