import type { AccountId } from '../domain/ids.js'
import type { OperationMeter, UsageCounters } from '../shared/usage.js'

/** Cloudflare bills Queues by operation: a write (send), a read (delivery) and a delete (ack), per 64 KB. */
export type QueueOperation = 'write' | 'read' | 'delete'

export interface QueueUsage {
  accountId: AccountId
  /** '' for account scripts; null when the REST API did it. */
  namespaceId: string | null
  script: string | null
  operation: QueueOperation
  count: number
}

/** The usage counter each operation adds to. */
const COUNTER: Record<QueueOperation, keyof UsageCounters> = { write: 'queueWrites', read: 'queueReads', delete: 'queueDeletes' }
/** Each operation's `actionType` in queueMessageOperationsAdaptiveGroups. */
const ACTION: Record<QueueOperation, string> = { write: 'WriteMessage', read: 'ReadMessage', delete: 'DeleteMessage' }

/** Queue operations as usage records take them: a delta for one script. */
export interface QueueUsageDelta {
  script: { accountId: string; namespaceId: string; script: string }
  usage: Partial<UsageCounters>
}

/**
 * Counts queue operations per account and script, in memory, for the usage records to drain.
 * `drain()` hands over what was counted since the last drain and starts again from zero;
 * `snapshot()` reads the totals since the meter started.
 */
export class QueueMeter {
  #counts = new Map<string, QueueUsage>()
  #totals = new Map<string, QueueUsage>()
  #perQueue: OperationMeter | undefined

  /** Where operations also go per queue (the usage records' per-resource operations). */
  reportPerQueue(meter: OperationMeter): void {
    this.#perQueue = meter
  }

  count(sender: { accountId: AccountId; script?: { namespaceId: string; name: string } }, operation: QueueOperation, n: number, queueId?: string): void {
    if (n <= 0) return
    if (queueId !== undefined) this.#perQueue?.operation({ accountId: sender.accountId, product: 'queue', resource: queueId, action: ACTION[operation], operations: n })
    const namespaceId = sender.script?.namespaceId ?? null
    const script = sender.script?.name ?? null
    const key = `${sender.accountId}\u0000${namespaceId}\u0000${script}\u0000${operation}`
    for (const counts of [this.#counts, this.#totals]) {
      const usage = counts.get(key) ?? { accountId: sender.accountId, namespaceId, script, operation, count: 0 }
      usage.count += n
      counts.set(key, usage)
    }
  }

  /** What was counted since the meter started, for tests and /metrics. */
  snapshot(): QueueUsage[] {
    return [...this.#totals.values()].map((u) => ({ ...u }))
  }

  /**
   * Drains into usage-record deltas. Operations no script made (the REST API, HTTP pull consumers)
   * go to the account under the script name '' (Cloudflare bills them all the same).
   */
  drainUsage(): QueueUsageDelta[] {
    return this.drain().map((u) => ({
      script: { accountId: u.accountId, namespaceId: u.namespaceId ?? '', script: u.script ?? '' },
      usage: { [COUNTER[u.operation]]: u.count },
    }))
  }

  drain(): QueueUsage[] {
    const out = [...this.#counts.values()]
    this.#counts = new Map()
    return out
  }
}
