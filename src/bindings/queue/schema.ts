import { z } from 'zod'
import { defineBindingKind } from '../kind.js'
import { queueToHost } from './host.js'
import { queueInternal } from './internal.js'

/** A queue producer: a queue of the same account, by name. */
export const QueueBinding = z.object({
  type: z.literal('queue'),
  name: z.string(),
  queue_name: z.string().min(1),
  // wrangler still sends it; Cloudflare ignores it in favour of the queue's own delivery_delay.
  delivery_delay: z.number().int().min(0).optional(),
})

export const queue = defineBindingKind({
  schema: QueueBinding,
  async check(b, ctx) {
    if (await ctx.store.queues.byName(ctx.accountId, b.queue_name)) return undefined
    return `Queue '${b.queue_name}' of binding '${b.name}' does not exist in this account`
  },
  toHost: queueToHost,
  internal: queueInternal,
})
