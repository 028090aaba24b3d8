import type { AccountId } from '../domain/ids.js'
import {
  queueConsumerExists,
  queueConsumerNotFound,
  queueHandlerMissing,
  queueInvalidName,
  queueInvalidRequest,
  queueMessageTooLarge,
  queueNameTaken,
  queueNotFound,
  scriptNotFound,
  namespaceNotFound,
} from '../domain/errors.js'
import type {
  LeasedMessage,
  NewQueueConsumer,
  NewQueueMessage,
  Queue,
  QueueConsumer,
  QueueConsumerSettings,
  QueueContentType,
  QueueProducer,
  QueueSettings,
} from '../storage/queue-store.js'
import { StorageConflict, type Store } from '../storage/store.js'
import type { Clock } from '../util/clock.js'
import { QUEUE_LIMITS as L, QUEUE_NAME } from './limits.js'
import type { QueueMeter } from './meter.js'

export interface QueueServiceDeps {
  store: Pick<Store, 'queues' | 'scripts' | 'namespaces'>
  clock: Clock
  meter: QueueMeter
  /** Told after messages were committed, so this node's consumer loop looks at once. */
  onSend?: (queueId: string) => void
}

/** Who sent a message, for metering: a script (binding) or the REST API. */
export interface Sender {
  accountId: AccountId
  script?: { namespaceId: string; name: string }
}

type Body = Record<string, unknown>

/**
 * Queues as Cloudflare defines them, shared by the REST API and the producer binding: names,
 * settings and their ranges, one consumer per queue, message sizes and batch limits. Every check
 * runs before the first write, so bad input changes nothing.
 */
export class QueueService {
  constructor(private readonly deps: QueueServiceDeps) {}

  async create(accountId: AccountId, body: Body): Promise<Queue> {
    const name = queueName(body.queue_name)
    const settings = queueSettings(body.settings, defaultSettings())
    if ((await this.deps.store.queues.list(accountId)).length >= L.maxQueuesPerAccount)
      throw queueInvalidRequest(`An account may have at most ${L.maxQueuesPerAccount} queues`)
    try {
      return await this.deps.store.queues.create(accountId, name, settings, this.deps.clock.now())
    } catch (e) {
      if (e instanceof StorageConflict) throw queueNameTaken(name)
      throw e
    }
  }

  /** The account's queue producers: scripts whose deployed version binds a queue. */
  producers(accountId: AccountId): Promise<QueueProducer[]> {
    return this.deps.store.queues.producers(accountId)
  }

  list(accountId: AccountId, names?: string[]): Promise<Queue[]> {
    return this.deps.store.queues.list(accountId, names)
  }

  async get(accountId: AccountId, id: string): Promise<Queue> {
    const q = await this.deps.store.queues.get(accountId, id)
    if (!q) throw queueNotFound()
    return q
  }

  async byName(accountId: AccountId, name: string): Promise<Queue> {
    const q = await this.deps.store.queues.byName(accountId, name)
    if (!q) throw queueNotFound()
    return q
  }

  /** PUT replaces (a missing setting returns to its default); PATCH changes what it names. */
  async update(accountId: AccountId, id: string, body: Body, mode: 'replace' | 'patch'): Promise<Queue> {
    const q = await this.get(accountId, id)
    const name = body.queue_name === undefined ? q.name : queueName(body.queue_name)
    const settings = queueSettings(body.settings, mode === 'patch' ? q.settings : defaultSettings())
    try {
      const updated = await this.deps.store.queues.update(accountId, id, { name, settings }, this.deps.clock.now())
      if (!updated) throw queueNotFound()
      return updated
    } catch (e) {
      if (e instanceof StorageConflict) throw queueNameTaken(name)
      throw e
    }
  }

  async delete(accountId: AccountId, id: string): Promise<void> {
    if (!(await this.deps.store.queues.delete(accountId, id))) throw queueNotFound()
  }

  async addConsumer(accountId: AccountId, queueId: string, body: Body): Promise<QueueConsumer> {
    const queue = await this.get(accountId, queueId)
    const consumer = await this.#consumer(accountId, queue, body, undefined)
    try {
      return await this.deps.store.queues.addConsumer(queue.id, consumer, this.deps.clock.now())
    } catch (e) {
      if (e instanceof StorageConflict) throw queueConsumerExists()
      throw e
    }
  }

  async updateConsumer(accountId: AccountId, queueId: string, consumerId: string, body: Body): Promise<QueueConsumer> {
    const queue = await this.get(accountId, queueId)
    const existing = queue.consumers.find((c) => c.id === consumerId)
    if (!existing) throw queueConsumerNotFound()
    const updated = await this.deps.store.queues.updateConsumer(queue.id, consumerId, await this.#consumer(accountId, queue, body, existing))
    if (!updated) throw queueConsumerNotFound()
    return updated
  }

  async deleteConsumer(accountId: AccountId, queueId: string, consumerId: string): Promise<void> {
    const queue = await this.get(accountId, queueId)
    if (!(await this.deps.store.queues.deleteConsumer(queue.id, consumerId))) throw queueConsumerNotFound()
  }

  /** Validates the whole batch first; stores it in one transaction. The message ids. */
  async send(sender: Sender, queue: Queue, messages: Array<{ body: Uint8Array; contentType: QueueContentType; delaySeconds?: number }>): Promise<string[]> {
    if (messages.length === 0) throw queueInvalidRequest('A batch must contain at least one message')
    if (messages.length > L.maxBatchMessages) throw queueInvalidRequest(`A batch may contain at most ${L.maxBatchMessages} messages, got ${messages.length}`)
    let total = 0
    const rows: NewQueueMessage[] = messages.map((m) => {
      if (m.body.byteLength > L.maxMessageBytes)
        throw queueMessageTooLarge(`Message of ${m.body.byteLength} bytes exceeds the limit of ${L.maxMessageBytes} bytes`)
      total += m.body.byteLength
      return { body: m.body, contentType: m.contentType, delaySeconds: delay(m.delaySeconds, queue.settings.deliveryDelay, 'delay_seconds') }
    })
    if (total > L.maxBatchBytes) throw queueMessageTooLarge(`Batch of ${total} bytes exceeds the limit of ${L.maxBatchBytes} bytes`)
    const ids = await this.deps.store.queues.send(queue.id, rows, this.deps.clock.now(), queue.settings.messageRetentionPeriod * 1000)
    this.deps.meter.count(sender, 'write', rows.length, queue.id)
    this.deps.onSend?.(queue.id)
    return ids
  }

  /** HTTP pull: leases up to batch_size messages for visibility_timeout_ms. */
  async pull(accountId: AccountId, queueId: string, body: Body): Promise<{ backlog: number; messages: LeasedMessage[] }> {
    const queue = await this.get(accountId, queueId)
    const consumer = httpPullConsumer(queue)
    const batchSize = intIn(body.batch_size, 'batch_size', 1, L.maxBatchSize, consumer.settings.batchSize)
    const visibilityMs = intIn(body.visibility_timeout_ms, 'visibility_timeout_ms', 1, L.maxVisibilityTimeoutMs, consumer.settings.visibilityTimeoutMs)
    const now = this.deps.clock.now()
    const messages = await this.deps.store.queues.lease(queue.id, {
      now,
      max: batchSize,
      visibilityMs,
      maxDeliveries: consumer.settings.maxRetries + 1,
      deadLetter: await this.deadLetterOf(accountId, consumer),
    })
    this.deps.meter.count({ accountId }, 'read', messages.length, queue.id)
    return { backlog: await this.deps.store.queues.backlog(queue.id, now), messages }
  }

  async ack(accountId: AccountId, queueId: string, body: Body): Promise<{ ackCount: number; retryCount: number; warnings: string[] }> {
    const queue = await this.get(accountId, queueId)
    const consumer = httpPullConsumer(queue)
    const acks = listOf(body.acks, 'acks').map((a) => leaseIdOf(a))
    const retries = listOf(body.retries, 'retries').map((r) => ({
      leaseId: leaseIdOf(r),
      delaySeconds: delay((r as Body).delay_seconds as number | undefined, consumer.settings.retryDelay, 'delay_seconds'),
    }))
    const result = await this.deps.store.queues.settle(queue.id, { acks, retries }, this.deps.clock.now())
    this.deps.meter.count({ accountId }, 'delete', result.acked, queue.id)
    const stale = acks.length + retries.length - result.acked - result.retried
    return { ackCount: result.acked, retryCount: result.retried, warnings: stale > 0 ? [`${stale} lease ids were unknown or expired`] : [] }
  }

  async purge(accountId: AccountId, queueId: string): Promise<Queue> {
    const queue = await this.get(accountId, queueId)
    await this.deps.store.queues.purge(queue.id)
    return queue
  }

  /** Where a consumer's dead messages go: its dead-letter queue (created on first use, as Cloudflare does), or nowhere. */
  async deadLetterOf(accountId: AccountId, consumer: QueueConsumer): Promise<{ queueId: string; retentionMs: number } | null> {
    if (!consumer.deadLetterQueue) return null
    let dlq = await this.deps.store.queues.byName(accountId, consumer.deadLetterQueue)
    if (!dlq) {
      try {
        dlq = await this.deps.store.queues.create(accountId, consumer.deadLetterQueue, defaultSettings(), this.deps.clock.now())
      } catch (e) {
        if (!(e instanceof StorageConflict)) throw e
        dlq = await this.deps.store.queues.byName(accountId, consumer.deadLetterQueue)
      }
    }
    return dlq ? { queueId: dlq.id, retentionMs: dlq.settings.messageRetentionPeriod * 1000 } : null
  }

  async #consumer(accountId: AccountId, queue: Queue, body: Body, existing: QueueConsumer | undefined): Promise<NewQueueConsumer> {
    const type = body.type ?? existing?.type ?? 'worker'
    if (type !== 'worker' && type !== 'http_pull') throw queueInvalidRequest(`Unknown consumer type '${String(type)}': use worker or http_pull`)
    const dlqRaw = body.dead_letter_queue
    const deadLetterQueue = dlqRaw === undefined || dlqRaw === null || dlqRaw === '' ? null : queueName(dlqRaw)
    if (deadLetterQueue === queue.name) throw queueInvalidRequest('A queue cannot be its own dead letter queue')
    const settings = consumerSettings(body.settings, type)
    if (type === 'http_pull') return { type, scriptName: null, dispatchNamespace: null, deadLetterQueue, settings }

    const scriptName = body.script_name ?? body.script ?? existing?.scriptName
    if (typeof scriptName !== 'string' || scriptName === '') throw queueInvalidRequest('A worker consumer needs script_name')
    const nsRaw = body.dispatch_namespace ?? existing?.dispatchNamespace ?? null
    if (nsRaw !== null && typeof nsRaw !== 'string') throw queueInvalidRequest('dispatch_namespace must be a string')
    await this.#requireQueueHandler(accountId, nsRaw, scriptName)
    return { type, scriptName, dispatchNamespace: nsRaw, deadLetterQueue, settings }
  }

  async #requireQueueHandler(accountId: AccountId, namespace: string | null, script: string): Promise<void> {
    let namespaceId = null
    if (namespace !== null) {
      const ns = await this.deps.store.namespaces.get(accountId, namespace)
      if (!ns) throw namespaceNotFound(namespace)
      namespaceId = ns.id
    }
    const found = await this.deps.store.scripts.get({ accountId, namespaceId }, script)
    if (!found) throw scriptNotFound()
    const version = await this.deps.store.scripts.version(found.currentVersionId)
    if (!version?.handlers.includes('queue')) throw queueHandlerMissing(script)
  }
}

const defaultSettings = (): QueueSettings => ({ deliveryDelay: 0, messageRetentionPeriod: L.defaultRetentionSeconds, deliveryPaused: false })

function queueName(raw: unknown): string {
  if (typeof raw !== 'string' || !QUEUE_NAME.test(raw)) throw queueInvalidName(String(raw))
  return raw
}

function queueSettings(raw: unknown, base: QueueSettings): QueueSettings {
  if (raw === undefined || raw === null) return base
  if (typeof raw !== 'object' || Array.isArray(raw)) throw queueInvalidRequest('settings must be an object')
  const s = raw as Body
  return {
    deliveryDelay: intIn(s.delivery_delay, 'delivery_delay', 0, L.maxDelaySeconds, base.deliveryDelay),
    messageRetentionPeriod: intIn(s.message_retention_period, 'message_retention_period', L.minRetentionSeconds, L.maxRetentionSeconds, base.messageRetentionPeriod),
    deliveryPaused: booleanOf(s.delivery_paused, 'delivery_paused', base.deliveryPaused),
  }
}

function booleanOf(raw: unknown, field: string, fallback: boolean): boolean {
  if (raw === undefined || raw === null) return fallback
  if (typeof raw !== 'boolean') throw queueInvalidRequest(`${field} must be true or false, got ${JSON.stringify(raw)}`)
  return raw
}

function consumerSettings(raw: unknown, type: 'worker' | 'http_pull'): QueueConsumerSettings {
  if (raw !== undefined && raw !== null && (typeof raw !== 'object' || Array.isArray(raw))) throw queueInvalidRequest('settings must be an object')
  const s = (raw ?? {}) as Body
  const concurrency = s.max_concurrency
  return {
    batchSize: intIn(s.batch_size, 'batch_size', 1, L.maxBatchSize, L.defaultBatchSize),
    maxRetries: intIn(s.max_retries, 'max_retries', 0, L.maxRetries, L.defaultMaxRetries),
    maxWaitTimeMs: intIn(s.max_wait_time_ms, 'max_wait_time_ms', 0, L.maxWaitTimeMs, L.defaultMaxWaitTimeMs),
    maxConcurrency: concurrency === undefined || concurrency === null ? null : intIn(concurrency, 'max_concurrency', 1, L.maxConcurrency, 1),
    retryDelay: intIn(s.retry_delay, 'retry_delay', 0, L.maxDelaySeconds, 0),
    visibilityTimeoutMs:
      type === 'http_pull' ? intIn(s.visibility_timeout_ms, 'visibility_timeout_ms', 1, L.maxVisibilityTimeoutMs, L.defaultVisibilityTimeoutMs) : L.defaultVisibilityTimeoutMs,
  }
}

function intIn(raw: unknown, field: string, min: number, max: number, fallback: number): number {
  if (raw === undefined || raw === null) return fallback
  if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < min || raw > max)
    throw queueInvalidRequest(`${field} must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`)
  return raw
}

const delay = (raw: number | undefined, fallback: number, field: string): number => intIn(raw, field, 0, L.maxDelaySeconds, fallback)

function httpPullConsumer(queue: Queue): QueueConsumer {
  const c = queue.consumers.find((x) => x.type === 'http_pull')
  if (!c) throw queueInvalidRequest('This queue has no http_pull consumer: add one before pulling messages')
  return c
}

function listOf(raw: unknown, field: string): unknown[] {
  if (raw === undefined || raw === null) return []
  if (!Array.isArray(raw)) throw queueInvalidRequest(`${field} must be an array`)
  return raw
}

function leaseIdOf(raw: unknown): string {
  const id = (raw as Body | null)?.lease_id
  if (typeof id !== 'string' || id === '') throw queueInvalidRequest('Every ack and retry needs a lease_id')
  return id
}
