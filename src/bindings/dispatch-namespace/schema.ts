import { z } from 'zod'
import { defineBindingKind } from '../kind.js'
import { dispatchToHost } from './host.js'

/**
 * A dispatch namespace of the same account, by name (`env.NAME.get(script)`), with an optional
 * outbound Worker that sees every fetch of the dispatched scripts and the declared params.
 */
export const DispatchNamespaceBinding = z.object({
  type: z.literal('dispatch_namespace'),
  name: z.string(),
  namespace: z.string().min(1),
  outbound: z
    .object({
      worker: z.object({
        service: z.string().min(1),
        environment: z.string().optional(),
        entrypoint: z.string().optional(),
      }),
      params: z.array(z.object({ name: z.string().min(1) })).optional(),
    })
    .optional(),
})

export const dispatchNamespace = defineBindingKind({
  schema: DispatchNamespaceBinding,
  async check(b, ctx) {
    if (await ctx.store.namespaces.get(ctx.accountId, b.namespace)) return undefined
    return `dispatch namespace '${b.namespace}' of binding '${b.name}' does not exist in this account`
  },
  toHost: dispatchToHost,
})
