import { QUEUE_LIMITS } from '../queues/limits.js'
import type { QueueMeter } from '../queues/meter.js'
import type { QueueService } from '../queues/service.js'
import type { QueueRun, QueueRunResult } from '../shared/protocol.js'
import type { LeasedMessage, Queue, QueueConsumer, Settlement } from '../storage/queue-store.js'
import type { Store } from '../storage/store.js'
import type { Clock } from '../util/clock.js'
import type { Logger } from '../util/logger.js'

export interface QueueConsumerLoopDeps {
  store: Pick<Store, 'queues' | 'namespaces'>
  queues: Pick<QueueService, 'deadLetterOf'>
  meter: QueueMeter
  clock: Clock
  log: Logger
  /** Runs one batch in a workerd process (ScheduledRunner.queue). */
  deliver(run: QueueRun): Promise<QueueRunResult>
  /** How often the store is asked for deliverable messages when nothing wakes the loop. @default 250 */
  pollMs?: number
}

/** Batches one node runs at once for one consumer (Cloudflare scales consumers out the same way). */
const MAX_IN_FLIGHT = 4
const EXPIRY_SWEEP_MS = 60_000
const MISSING_SCRIPT_RETRY_S = 30

/**
 * Queue consumer Workers, run from Node like cron triggers: each pass asks the store which queues
 * have deliverable messages, and for every Worker consumer whose batch is full (max_batch_size) or
 * whose oldest message has waited max_batch_timeout, leases a batch and delivers it to the
 * script's `queue()` handler through an edge process. The lease (FOR UPDATE SKIP LOCKED on
 * PostgreSQL) is what keeps several nodes from delivering one message twice; one that is neither
 * acked nor retried (a crash, a kill) comes back when its lease runs out.
 */
export class QueueConsumerLoop {
  #timer: NodeJS.Timeout | undefined
  #running: Promise<void> | undefined
  #again = false
  #stopped = true
  #inFlight = new Map<string, number>()
  #batches = new Set<Promise<void>>()
  #lastSweep = 0

  constructor(private readonly deps: QueueConsumerLoopDeps) {}

  start(): void {
    this.#stopped = false
    this.#schedule()
  }

  async stop(): Promise<void> {
    this.#stopped = true
    clearTimeout(this.#timer)
    await this.#running
    await Promise.allSettled([...this.#batches])
  }

  /** Looks again now (a send on this node, a batch that finished). */
  wake(): void {
    if (this.#stopped) return
    if (this.#running) {
      this.#again = true
      return
    }
    clearTimeout(this.#timer)
    this.#runPass()
  }

  /** One pass, awaited (tests drive the loop with it); resolves once its batches are delivered. */
  async pass(): Promise<number> {
    const started = await this.#pass()
    await Promise.allSettled(started)
    return started.length
  }

  #schedule(): void {
    if (this.#stopped) return
    this.#timer = setTimeout(() => this.#runPass(), this.deps.pollMs ?? 250)
    this.#timer.unref()
  }

  #runPass(): void {
    this.#running = this.#pass()
      .then(() => undefined)
      .catch((err: unknown) => this.deps.log.error({ err }, 'queue consumer pass failed'))
      .finally(() => {
        this.#running = undefined
        if (this.#again) {
          this.#again = false
          this.wake()
        } else this.#schedule()
      })
  }

  async #pass(): Promise<Array<Promise<void>>> {
    const now = this.deps.clock.now()
    if (now - this.#lastSweep >= EXPIRY_SWEEP_MS) {
      this.#lastSweep = now
      await this.deps.store.queues.deleteExpired(now)
    }
    const ready = new Map((await this.deps.store.queues.ready(now)).map((r) => [r.queueId, r]))
    if (ready.size === 0) return []
    const started: Array<Promise<void>> = []
    for (const { queue, consumer } of await this.deps.store.queues.workerConsumers()) {
      const r = ready.get(queue.id)
      if (!r || queue.settings.deliveryPaused) continue
      const due = r.ready >= consumer.settings.batchSize || now - r.oldestMs >= consumer.settings.maxWaitTimeMs
      const limit = Math.min(consumer.settings.maxConcurrency ?? MAX_IN_FLIGHT, MAX_IN_FLIGHT)
      let batches = Math.min(limit - (this.#inFlight.get(consumer.id) ?? 0), Math.ceil(r.ready / consumer.settings.batchSize))
      while (due && batches-- > 0) started.push(this.#track(consumer.id, this.#deliver(queue, consumer)))
    }
    return started
  }

  #track(consumerId: string, work: Promise<void>): Promise<void> {
    this.#inFlight.set(consumerId, (this.#inFlight.get(consumerId) ?? 0) + 1)
    const done = work
      .catch((err: unknown) => this.deps.log.error({ err, consumer: consumerId }, 'queue batch could not be delivered'))
      .finally(() => {
        this.#inFlight.set(consumerId, (this.#inFlight.get(consumerId) ?? 1) - 1)
        this.#batches.delete(done)
        this.wake()
      })
    this.#batches.add(done)
    return done
  }

  async #deliver(queue: Queue, consumer: QueueConsumer): Promise<void> {
    const namespaceId = await this.#namespaceIdOf(queue, consumer)
    if (namespaceId === undefined) return
    const messages = await this.deps.store.queues.lease(queue.id, {
      now: this.deps.clock.now(),
      max: consumer.settings.batchSize,
      visibilityMs: QUEUE_LIMITS.workerLeaseMs,
      maxDeliveries: consumer.settings.maxRetries + 1,
      deadLetter: await this.deps.queues.deadLetterOf(queue.accountId, consumer),
    })
    if (messages.length === 0) return
    const script = { namespaceId: namespaceId, name: consumer.scriptName ?? '' }
    this.deps.meter.count({ accountId: queue.accountId, script }, 'read', messages.length, queue.id)
    const result = await this.deps.deliver({
      accountId: queue.accountId,
      namespaceId,
      script: script.name,
      queueName: queue.name,
      messages: messages.map((m) => ({ id: m.id, timestampMs: m.timestampMs, body: Buffer.from(m.body).toString('base64'), contentType: m.contentType, attempts: m.attempts })),
    })
    if (result.outcome !== 'ok')
      this.deps.log.warn({ account: queue.accountId, queue: queue.name, script: script.name, outcome: result.outcome, error: result.error }, 'queue handler did not succeed')
    // A consumer script that is gone (or not loadable) gets its batch back later, not at once: a
    // retry without delay would spin this loop until the messages die.
    const retryDelay = result.outcome === 'missing' ? Math.max(consumer.settings.retryDelay, MISSING_SCRIPT_RETRY_S) : consumer.settings.retryDelay
    const settled = await this.deps.store.queues.settle(queue.id, settlementOf(messages, result, retryDelay), this.deps.clock.now())
    this.deps.meter.count({ accountId: queue.accountId, script }, 'delete', settled.acked, queue.id)
  }

  /** '' for an account script, the namespace's id for a user Worker; undefined when the namespace is gone. */
  async #namespaceIdOf(queue: Queue, consumer: QueueConsumer): Promise<string | undefined> {
    if (!consumer.dispatchNamespace) return ''
    const ns = await this.deps.store.namespaces.get(queue.accountId, consumer.dispatchNamespace)
    return ns?.id
  }
}

/**
 * Cloudflare's rules for a delivered batch: a message's own retry() or ack() first, then
 * retryAll() or ackAll(), then the outcome (success acks the rest, a throw retries it).
 */
export function settlementOf(messages: LeasedMessage[], result: QueueRunResult, retryDelay: number): Settlement {
  const retries = new Map(result.retries.map((r) => [r.id, r.delaySeconds]))
  const acks = new Set(result.explicitAcks)
  const out: Settlement = { acks: [], retries: [] }
  for (const m of messages) {
    if (retries.has(m.id)) out.retries.push({ leaseId: m.leaseId, delaySeconds: retries.get(m.id) ?? retryDelay })
    else if (acks.has(m.id)) out.acks.push(m.leaseId)
    else if (result.retryAll) out.retries.push({ leaseId: m.leaseId, delaySeconds: result.retryAllDelaySeconds ?? retryDelay })
    else if (result.ackAll || result.outcome === 'ok') out.acks.push(m.leaseId)
    else out.retries.push({ leaseId: m.leaseId, delaySeconds: retryDelay })
  }
  return out
}
