import type { AccountId } from '../../domain/ids.js'
import type { LeasedMessage, Queue, QueueConsumer, QueueConsumerSettings, QueueContentType, QueueProducer, QueueSettings } from '../queue-store.js'
import type { Dialect } from './dialect.js'

export interface QueueRow {
  id: string
  account_id: string
  name: string
  created_on: string
  modified_on: string
  settings: unknown
}

export interface ConsumerRow {
  id: string
  queue_id: string
  type: string
  script_name: string | null
  dispatch_namespace: string | null
  dead_letter_queue: string | null
  created_on: string
  settings: unknown
}

export interface MessageRow {
  id: string
  lease_id: string
  body: Buffer
  content_type: string
  attempts: number | string
  created_ms: number | string
  seq: number | string
}

export const toConsumer = (d: Dialect, r: ConsumerRow): QueueConsumer => ({
  id: r.id,
  queueId: r.queue_id,
  type: r.type === 'http_pull' ? 'http_pull' : 'worker',
  scriptName: r.script_name,
  dispatchNamespace: r.dispatch_namespace,
  deadLetterQueue: r.dead_letter_queue,
  createdOn: r.created_on,
  settings: d.json<QueueConsumerSettings>(r.settings),
})

/** Queues with their consumers attached (one query each, joined here). */
export function toQueues(d: Dialect, queues: QueueRow[], consumers: ConsumerRow[]): Queue[] {
  const byQueue = new Map<string, QueueConsumer[]>()
  for (const c of consumers) byQueue.set(c.queue_id, [...(byQueue.get(c.queue_id) ?? []), toConsumer(d, c)])
  return queues.map((q) => ({
    id: q.id,
    accountId: q.account_id as AccountId,
    name: q.name,
    createdOn: q.created_on,
    modifiedOn: q.modified_on,
    settings: d.json<QueueSettings>(q.settings),
    consumers: byQueue.get(q.id) ?? [],
  }))
}

/** Leased rows in the order they were sent (a batch keeps its order). */
export const toLeased = (rows: MessageRow[]): LeasedMessage[] =>
  [...rows]
    .sort((a, b) => Number(a.seq) - Number(b.seq))
    .map((r) => ({
      id: r.id,
      leaseId: r.lease_id,
      body: new Uint8Array(r.body.buffer as ArrayBuffer, r.body.byteOffset, r.body.byteLength),
      contentType: r.content_type as QueueContentType,
      attempts: Number(r.attempts),
      timestampMs: Number(r.created_ms),
    }))

/** A lease id: unguessable, and different for every delivery of a message. */
export const leaseIdFor = (batchToken: string, messageId: string): string => `${batchToken}.${messageId}`

/** Retries grouped by delay, so each group is one UPDATE. */
export function retriesByDelay(retries: Array<{ leaseId: string; delaySeconds: number }>): Map<number, string[]> {
  const groups = new Map<number, string[]>()
  for (const r of retries) groups.set(r.delaySeconds, [...(groups.get(r.delaySeconds) ?? []), r.leaseId])
  return groups
}

export const QUEUE_COLUMNS = 'id, account_id, name, created_on, modified_on, settings'
export const CONSUMER_COLUMNS = 'id, queue_id, type, script_name, dispatch_namespace, dead_letter_queue, created_on, settings'

/** A script's current bindings, for its queue producers (the SQL narrows to versions naming "queue"). */
export interface ProducerRow {
  script: string
  namespace: string | null
  bindings: unknown
}

/**
 * Both drivers select the account's scripts with their current version's bindings and the
 * dispatch namespace's name; what the bindings name is read here, once.
 */
export const PRODUCERS_SQL = (param: string): string => `SELECT s.name AS script, n.name AS namespace, v.bindings
  FROM scripts s JOIN script_versions v ON v.id = s.current_version_id
  LEFT JOIN dispatch_namespaces n ON n.id = s.namespace_id
  WHERE s.account_id = ${param}`

export function toProducers(d: Dialect, rows: ProducerRow[]): QueueProducer[] {
  const producers: QueueProducer[] = []
  for (const r of rows) {
    for (const b of d.json<Array<Record<string, unknown>>>(r.bindings)) {
      if (b.type === 'queue' && typeof b.queue_name === 'string')
        producers.push({ queueName: b.queue_name, script: r.script, dispatchNamespace: r.namespace ?? null })
    }
  }
  return producers.sort((a, b) => a.script.localeCompare(b.script) || (a.dispatchNamespace ?? '').localeCompare(b.dispatchNamespace ?? ''))
}
