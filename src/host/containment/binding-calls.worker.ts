/**
 * Calls a Worker makes through its storage bindings (KV, D1, R2, Durable Objects, Queues). Like
 * workerd, which counts a call to one of Cloudflare's own services as a subrequest of the
 * invocation, each call takes one subrequest of the isolate's budget (docs/limits.md) and counts in
 * the calling script's `subrequests`, with what it adds to the binding's own counters.
 */
import type { UsageCounters } from '../../shared/usage.js'
import type { HostEnv } from '../env.worker.js'
import { takeSubrequest } from './budget.worker.js'
import { ResourceLimitError } from './guard.worker.js'
import { recordUsage } from './usage.worker.js'

/** Who a binding belongs to, set in its props when the calling script's isolate is loaded. */
export interface BindingCaller {
  /** The calling script's key (`account/namespace/script`): its usage is metered under it. */
  usageKey: string
  /** The calling isolate's load key: its subrequest budget. */
  loadKey: string
}

/** Counts one binding call of `caller`; throws Cloudflare's "Too many subrequests." past its budget. */
export function countBindingCall(env: HostEnv, caller: BindingCaller, usage?: Partial<UsageCounters>): void {
  if (!takeSubrequest(caller.loadKey)) throw new ResourceLimitError('subrequests')
  if (env.SETTINGS.usage) recordUsage(caller.usageKey, usage ? { subrequests: 1, ...usage } : SUBREQUEST)
}

const SUBREQUEST: Partial<UsageCounters> = { subrequests: 1 }
