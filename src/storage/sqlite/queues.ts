import { isoTime } from '../../util/clock.js'
import { hexId } from '../../util/ids.js'
import type { AccountId } from '../../domain/ids.js'
import type { NewQueueConsumer, QueueStore } from '../queue-store.js'
import { asBuffer } from '../shared/bytes.js'
import { rethrowConflict } from '../shared/dialect.js'
import {
  CONSUMER_COLUMNS,
  leaseIdFor,
  PRODUCERS_SQL,
  QUEUE_COLUMNS,
  retriesByDelay,
  toConsumer,
  toLeased,
  toProducers,
  toQueues,
  type ConsumerRow,
  type MessageRow,
  type ProducerRow,
  type QueueRow,
} from '../shared/queues.js'
import { dialect, toJson, type Db } from './database.js'

/**
 * Queues on SQLite: one writer at a time, so a lease is a conditional UPDATE inside one
 * transaction (`… AND lease_id IS NULL AND visible_ms <= now`), and no two consumers of this node
 * ever hold the same message.
 */
export function sqliteQueues(db: Db): QueueStore {
  const s = {
    queuesOf: db.prepare<[string], QueueRow>(`SELECT ${QUEUE_COLUMNS} FROM queues WHERE account_id = ? ORDER BY name`),
    queue: db.prepare<[string, string], QueueRow>(`SELECT ${QUEUE_COLUMNS} FROM queues WHERE account_id = ? AND id = ?`),
    queueByName: db.prepare<[string, string], QueueRow>(`SELECT ${QUEUE_COLUMNS} FROM queues WHERE account_id = ? AND name = ?`),
    allQueues: db.prepare<[], QueueRow>(`SELECT ${QUEUE_COLUMNS} FROM queues`),
    consumersOfAccount: db.prepare<[string], ConsumerRow>(
      `SELECT c.${CONSUMER_COLUMNS.split(', ').join(', c.')} FROM queue_consumers c JOIN queues q ON q.id = c.queue_id WHERE q.account_id = ?`,
    ),
    producers: db.prepare<[string], ProducerRow>(`${PRODUCERS_SQL('?')} AND v.bindings LIKE '%"queue"%'`),
    workerConsumers: db.prepare<[], ConsumerRow>(`SELECT ${CONSUMER_COLUMNS} FROM queue_consumers WHERE type = 'worker'`),
    consumer: db.prepare<[string, string], ConsumerRow>(`SELECT ${CONSUMER_COLUMNS} FROM queue_consumers WHERE queue_id = ? AND id = ?`),
    insertQueue: db.prepare('INSERT INTO queues (id, account_id, name, created_on, modified_on, settings) VALUES (?, ?, ?, ?, ?, ?)'),
    updateQueue: db.prepare('UPDATE queues SET name = ?, settings = ?, modified_on = ? WHERE account_id = ? AND id = ?'),
    deleteQueue: db.prepare('DELETE FROM queues WHERE account_id = ? AND id = ?'),
    insertConsumer: db.prepare(
      'INSERT INTO queue_consumers (id, queue_id, type, script_name, dispatch_namespace, dead_letter_queue, created_on, settings) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    updateConsumer: db.prepare(
      'UPDATE queue_consumers SET type = ?, script_name = ?, dispatch_namespace = ?, dead_letter_queue = ?, settings = ? WHERE queue_id = ? AND id = ?',
    ),
    deleteConsumer: db.prepare('DELETE FROM queue_consumers WHERE queue_id = ? AND id = ?'),
    insertMessage: db.prepare(
      'INSERT INTO queue_messages (id, queue_id, body, content_type, created_ms, visible_ms, expires_ms) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ),
    deadIds: db.prepare<[string, number, number, number], { seq: number }>(
      'SELECT seq FROM queue_messages WHERE queue_id = ? AND visible_ms <= ? AND expires_ms > ? AND attempts >= ?',
    ),
    deadLetter: db.prepare('UPDATE queue_messages SET queue_id = ?, attempts = 0, lease_id = NULL, visible_ms = ?, expires_ms = ? WHERE seq = ?'),
    dropSeq: db.prepare('DELETE FROM queue_messages WHERE seq = ?'),
    leaseable: db.prepare<[string, number, number, number], { seq: number; id: string }>(
      'SELECT seq, id FROM queue_messages WHERE queue_id = ? AND visible_ms <= ? AND expires_ms > ? ORDER BY visible_ms, seq LIMIT ?',
    ),
    lease: db.prepare('UPDATE queue_messages SET lease_id = ?, visible_ms = ?, attempts = attempts + 1 WHERE seq = ? AND visible_ms <= ?'),
    leased: db.prepare<[string], MessageRow>('SELECT id, lease_id, body, content_type, attempts, created_ms, seq FROM queue_messages WHERE lease_id = ?'),
    ack: db.prepare('DELETE FROM queue_messages WHERE queue_id = ? AND lease_id = ?'),
    retry: db.prepare('UPDATE queue_messages SET lease_id = NULL, visible_ms = ? WHERE queue_id = ? AND lease_id = ?'),
    purge: db.prepare('DELETE FROM queue_messages WHERE queue_id = ?'),
    backlog: db.prepare<[string, number], { n: number }>('SELECT count(*) AS n FROM queue_messages WHERE queue_id = ? AND expires_ms > ?'),
    ready: db.prepare<[number, number], { queue_id: string; ready: number; oldest: number }>(
      'SELECT queue_id, count(*) AS ready, min(visible_ms) AS oldest FROM queue_messages WHERE visible_ms <= ? AND expires_ms > ? GROUP BY queue_id',
    ),
    expire: db.prepare('DELETE FROM queue_messages WHERE expires_ms <= ?'),
  }

  const withConsumers = (accountId: string, rows: QueueRow[]) => toQueues(dialect, rows, s.consumersOfAccount.all(accountId))
  const one = (accountId: string, row: QueueRow | undefined) => (row ? withConsumers(accountId, [row])[0] : undefined)

  const create = db.transaction((accountId: AccountId, name: string, settings: unknown, now: string) => {
    const id = hexId()
    s.insertQueue.run(id, accountId, name, now, now, toJson(settings))
    return id
  })

  const send = db.transaction((queueId: string, rows: Array<[string, Buffer, string, number, number, number]>) => {
    for (const [id, body, type, created, visible, expires] of rows) s.insertMessage.run(id, queueId, body, type, created, visible, expires)
  })

  return {
    async create(accountId, name, settings, now) {
      try {
        const id = create(accountId, name, settings, isoTime(now))
        return one(accountId, s.queue.get(accountId, id))!
      } catch (e) {
        rethrowConflict(dialect, `queue ${name}`, e)
      }
    },
    async list(accountId, names) {
      const rows = s.queuesOf.all(accountId).filter((q) => names === undefined || names.includes(q.name))
      return withConsumers(accountId, rows)
    },
    async get(accountId, id) {
      return one(accountId, s.queue.get(accountId, id))
    },
    async producers(accountId) {
      return toProducers(dialect, s.producers.all(accountId))
    },
    async byName(accountId, name) {
      return one(accountId, s.queueByName.get(accountId, name))
    },
    async update(accountId, id, patch, now) {
      try {
        if (s.updateQueue.run(patch.name, toJson(patch.settings), isoTime(now), accountId, id).changes === 0) return undefined
      } catch (e) {
        rethrowConflict(dialect, `queue ${patch.name}`, e)
      }
      return one(accountId, s.queue.get(accountId, id))
    },
    async delete(accountId, id) {
      return s.deleteQueue.run(accountId, id).changes === 1
    },
    async addConsumer(queueId, c, now) {
      const id = hexId()
      try {
        s.insertConsumer.run(id, queueId, c.type, c.scriptName, c.dispatchNamespace, c.deadLetterQueue, isoTime(now), toJson(c.settings))
      } catch (e) {
        rethrowConflict(dialect, 'consumer', e)
      }
      return toConsumer(dialect, s.consumer.get(queueId, id)!)
    },
    async updateConsumer(queueId, id, c: NewQueueConsumer) {
      const changed = s.updateConsumer.run(c.type, c.scriptName, c.dispatchNamespace, c.deadLetterQueue, toJson(c.settings), queueId, id).changes
      return changed === 1 ? toConsumer(dialect, s.consumer.get(queueId, id)!) : undefined
    },
    async deleteConsumer(queueId, id) {
      return s.deleteConsumer.run(queueId, id).changes === 1
    },
    async workerConsumers() {
      const consumers = s.workerConsumers.all()
      const wanted = new Set(consumers.map((c) => c.queue_id))
      const queues = toQueues(dialect, s.allQueues.all().filter((q) => wanted.has(q.id)), consumers)
      return queues.flatMap((queue) => queue.consumers.map((consumer) => ({ queue, consumer })))
    },
    async send(queueId, messages, now, retentionMs) {
      const rows = messages.map((m): [string, Buffer, string, number, number, number] => [
        hexId(),
        asBuffer(m.body),
        m.contentType,
        now,
        now + m.delaySeconds * 1000,
        now + retentionMs,
      ])
      send(queueId, rows)
      return rows.map((r) => r[0])
    },
    async lease(queueId, r) {
      const token = hexId()
      const leaseOne = db.transaction(() => {
        for (const { seq } of s.deadIds.all(queueId, r.now, r.now, r.maxDeliveries)) {
          if (r.deadLetter) s.deadLetter.run(r.deadLetter.queueId, r.now, r.now + r.deadLetter.retentionMs, seq)
          else s.dropSeq.run(seq)
        }
        const leased: MessageRow[] = []
        for (const m of s.leaseable.all(queueId, r.now, r.now, r.max)) {
          const leaseId = leaseIdFor(token, m.id)
          if (s.lease.run(leaseId, r.now + r.visibilityMs, m.seq, r.now).changes === 1) leased.push(s.leased.get(leaseId)!)
        }
        return leased
      })
      return toLeased(leaseOne())
    },
    async settle(queueId, settlement, now) {
      const apply = db.transaction(() => {
        let acked = 0
        let retried = 0
        for (const leaseId of settlement.acks) acked += s.ack.run(queueId, leaseId).changes
        for (const [delay, ids] of retriesByDelay(settlement.retries))
          for (const leaseId of ids) retried += s.retry.run(now + delay * 1000, queueId, leaseId).changes
        return { acked, retried }
      })
      return apply()
    },
    async purge(queueId) {
      return s.purge.run(queueId).changes
    },
    async backlog(queueId, now) {
      return s.backlog.get(queueId, now)!.n
    },
    async ready(now) {
      return s.ready.all(now, now).map((r) => ({ queueId: r.queue_id, ready: r.ready, oldestMs: r.oldest }))
    },
    async deleteExpired(now) {
      return s.expire.run(now).changes
    },
  }
}
