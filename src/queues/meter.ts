import type { AccountId } from '../domain/ids.js'

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

/**
 * Counts queue operations per account and script, in memory, for the usage records to drain.
 * `drain()` hands over what was counted since the last drain and starts again from zero.
 */
export class QueueMeter {
  #counts = new Map<string, QueueUsage>()

  count(sender: { accountId: AccountId; script?: { namespaceId: string; name: string } }, operation: QueueOperation, n: number): void {
    if (n <= 0) return
    const namespaceId = sender.script?.namespaceId ?? null
    const script = sender.script?.name ?? null
    const key = `${sender.accountId}\u0000${namespaceId}\u0000${script}\u0000${operation}`
    const usage = this.#counts.get(key) ?? { accountId: sender.accountId, namespaceId, script, operation, count: 0 }
    usage.count += n
    this.#counts.set(key, usage)
  }

  /** What was counted so far (without resetting), for tests and /metrics. */
  snapshot(): QueueUsage[] {
    return [...this.#counts.values()].map((u) => ({ ...u }))
  }

  drain(): QueueUsage[] {
    const out = [...this.#counts.values()]
    this.#counts = new Map()
    return out
  }
}
