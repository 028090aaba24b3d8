import type { AccountId } from '../domain/ids.js'

/** How a message body is encoded, as the producer sent it (Cloudflare's content types). */
export type QueueContentType = 'text' | 'json' | 'bytes' | 'v8'

export interface QueueSettings {
  /** Seconds every new message waits before it can be delivered. */
  deliveryDelay: number
  /** Seconds a message is kept before it is dropped undelivered. */
  messageRetentionPeriod: number
  deliveryPaused: boolean
}

/** A consumer's settings with their defaults filled in (src/queues/limits.ts). */
export interface QueueConsumerSettings {
  batchSize: number
  maxRetries: number
  maxWaitTimeMs: number
  maxConcurrency: number | null
  retryDelay: number
  visibilityTimeoutMs: number
}

export interface QueueConsumer {
  id: string
  queueId: string
  type: 'worker' | 'http_pull'
  /** The consumer Worker (type worker). */
  scriptName: string | null
  /** The dispatch namespace of a user Worker consumer; null for an account script. */
  dispatchNamespace: string | null
  deadLetterQueue: string | null
  createdOn: string
  settings: QueueConsumerSettings
}

export interface Queue {
  id: string
  accountId: AccountId
  name: string
  createdOn: string
  modifiedOn: string
  settings: QueueSettings
  consumers: QueueConsumer[]
}

export interface NewQueueConsumer {
  type: 'worker' | 'http_pull'
  scriptName: string | null
  dispatchNamespace: string | null
  deadLetterQueue: string | null
  settings: QueueConsumerSettings
}

export interface NewQueueMessage {
  body: Uint8Array
  contentType: QueueContentType
  /** Seconds before the message may be delivered. */
  delaySeconds: number
}

/** A script whose deployed version binds a queue (`queue` binding): one of the queue's producers. */
export interface QueueProducer {
  queueName: string
  script: string
  /** The dispatch namespace's name, or null for an account script. */
  dispatchNamespace: string | null
}

/** A message handed to one consumer until its lease ends (visibility timeout) or it is settled. */
export interface LeasedMessage {
  id: string
  leaseId: string
  body: Uint8Array
  contentType: QueueContentType
  /** Deliveries so far, this one included (Cloudflare's `attempts`, from 1). */
  attempts: number
  timestampMs: number
}

export interface LeaseRequest {
  now: number
  max: number
  /** How long the messages stay invisible to other consumers (ms). */
  visibilityMs: number
  /** A message already delivered this many times is dead: dead-lettered or dropped, never delivered. */
  maxDeliveries: number
  /** Where dead messages go (with that queue's retention), or null to drop them. */
  deadLetter: { queueId: string; retentionMs: number } | null
}

export interface Settlement {
  acks: string[]
  retries: Array<{ leaseId: string; delaySeconds: number }>
}

/** Messages waiting for a Worker consumer: what the consumer loop needs to decide to deliver. */
export interface ReadyQueue {
  queueId: string
  ready: number
  /** When the oldest deliverable message became deliverable (ms). */
  oldestMs: number
}

/**
 * Queues and their messages. Every send is committed before it is acknowledged; a lease makes a
 * message invisible to every other consumer (on PostgreSQL with FOR UPDATE SKIP LOCKED, so nodes
 * never lease the same message twice) until it is settled or its visibility timeout passes.
 */
export interface QueueStore {
  /** StorageConflict when the account already has a queue of that name. */
  create(accountId: AccountId, name: string, settings: QueueSettings, now: number): Promise<Queue>
  /** The account's queues by name, or those named in `names`. */
  list(accountId: AccountId, names?: string[]): Promise<Queue[]>
  get(accountId: AccountId, id: string): Promise<Queue | undefined>
  byName(accountId: AccountId, name: string): Promise<Queue | undefined>
  /** Renames (StorageConflict when taken) and replaces the settings. */
  update(accountId: AccountId, id: string, patch: { name: string; settings: QueueSettings }, now: number): Promise<Queue | undefined>
  /** Deletes the queue, its consumers and its messages. */
  delete(accountId: AccountId, id: string): Promise<boolean>
  /** StorageConflict when the queue already has a consumer (Cloudflare allows one). */
  addConsumer(queueId: string, consumer: NewQueueConsumer, now: number): Promise<QueueConsumer>
  updateConsumer(queueId: string, id: string, consumer: NewQueueConsumer): Promise<QueueConsumer | undefined>
  deleteConsumer(queueId: string, id: string): Promise<boolean>
  /** The account's scripts whose current version binds a queue, by script name (queues' `producers`). */
  producers(accountId: AccountId): Promise<QueueProducer[]>
  /** Every Worker consumer of every account, with its queue (for the consumer loop). */
  workerConsumers(): Promise<Array<{ queue: Queue; consumer: QueueConsumer }>>
  /** Stores the messages in one transaction; their ids, in order. */
  send(queueId: string, messages: NewQueueMessage[], now: number, retentionMs: number): Promise<string[]>
  lease(queueId: string, request: LeaseRequest): Promise<LeasedMessage[]>
  /** Acks delete, retries make the message visible again after their delay; stale lease ids do nothing. */
  settle(queueId: string, settlement: Settlement, now: number): Promise<{ acked: number; retried: number }>
  purge(queueId: string): Promise<number>
  /** Messages not yet acknowledged nor expired. */
  backlog(queueId: string, now: number): Promise<number>
  /** Queues with deliverable messages now. */
  ready(now: number): Promise<ReadyQueue[]>
  /** Drops messages past their retention; how many. */
  deleteExpired(now: number): Promise<number>
}
