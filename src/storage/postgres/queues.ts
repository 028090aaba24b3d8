import { isoTime } from '../../util/clock.js'
import { hexId } from '../../util/ids.js'
import type { QueueStore } from '../queue-store.js'
import { asBuffer } from '../shared/bytes.js'
import { rethrowConflict } from '../shared/dialect.js'
import {
  CONSUMER_COLUMNS,
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
import { dialect, toJson, type Db, type Sql } from './database.js'

const CONSUMERS_OF_ACCOUNT = `SELECT ${CONSUMER_COLUMNS.split(', ').map((c) => `c.${c}`).join(', ')}
  FROM queue_consumers c JOIN queues q ON q.id = c.queue_id WHERE q.account_id = $1`

/**
 * Queues on PostgreSQL, shared by every node: a lease picks its rows with FOR UPDATE SKIP LOCKED,
 * so concurrent leases (other nodes, other connections) pass over each other's rows and never
 * hand one message to two consumers.
 */
export function postgresQueues(db: Db): QueueStore {
  const withConsumers = async (sql: Sql, accountId: string, rows: QueueRow[]) =>
    rows.length === 0 ? [] : toQueues(dialect, rows, await sql.rows<ConsumerRow>(CONSUMERS_OF_ACCOUNT, [accountId]))
  const one = async (accountId: string, where: string, value: string) => {
    const rows = await db.rows<QueueRow>(`SELECT ${QUEUE_COLUMNS} FROM queues WHERE account_id = $1 AND ${where} = $2`, [accountId, value])
    return (await withConsumers(db, accountId, rows))[0]
  }

  return {
    async create(accountId, name, settings, now) {
      const id = hexId()
      const at = isoTime(now)
      try {
        await db.run('INSERT INTO queues (id, account_id, name, created_on, modified_on, settings) VALUES ($1, $2, $3, $4, $4, $5)', [id, accountId, name, at, toJson(settings)])
      } catch (e) {
        rethrowConflict(dialect, `queue ${name}`, e)
      }
      return (await one(accountId, 'id', id))!
    },
    async producers(accountId) {
      return toProducers(dialect, await db.rows<ProducerRow>(`${PRODUCERS_SQL('$1')} AND v.bindings::text LIKE '%"queue"%'`, [accountId]))
    },
    async list(accountId, names) {
      const rows =
        names === undefined
          ? await db.rows<QueueRow>(`SELECT ${QUEUE_COLUMNS} FROM queues WHERE account_id = $1 ORDER BY name`, [accountId])
          : await db.rows<QueueRow>(`SELECT ${QUEUE_COLUMNS} FROM queues WHERE account_id = $1 AND name = ANY($2::text[]) ORDER BY name`, [accountId, names])
      return withConsumers(db, accountId, rows)
    },
    async get(accountId, id) {
      return one(accountId, 'id', id)
    },
    async byName(accountId, name) {
      return one(accountId, 'name', name)
    },
    async update(accountId, id, patch, now) {
      try {
        const changed = await db.run('UPDATE queues SET name = $1, settings = $2, modified_on = $3 WHERE account_id = $4 AND id = $5', [
          patch.name,
          toJson(patch.settings),
          isoTime(now),
          accountId,
          id,
        ])
        if (changed === 0) return undefined
      } catch (e) {
        rethrowConflict(dialect, `queue ${patch.name}`, e)
      }
      return one(accountId, 'id', id)
    },
    async delete(accountId, id) {
      return (await db.run('DELETE FROM queues WHERE account_id = $1 AND id = $2', [accountId, id])) === 1
    },
    async addConsumer(queueId, c, now) {
      const id = hexId()
      try {
        await db.run(
          'INSERT INTO queue_consumers (id, queue_id, type, script_name, dispatch_namespace, dead_letter_queue, created_on, settings) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
          [id, queueId, c.type, c.scriptName, c.dispatchNamespace, c.deadLetterQueue, isoTime(now), toJson(c.settings)],
        )
      } catch (e) {
        rethrowConflict(dialect, 'consumer', e)
      }
      return toConsumer(dialect, (await db.one<ConsumerRow>(`SELECT ${CONSUMER_COLUMNS} FROM queue_consumers WHERE id = $1`, [id]))!)
    },
    async updateConsumer(queueId, id, c) {
      const row = await db.one<ConsumerRow>(
        `UPDATE queue_consumers SET type = $1, script_name = $2, dispatch_namespace = $3, dead_letter_queue = $4, settings = $5
         WHERE queue_id = $6 AND id = $7 RETURNING ${CONSUMER_COLUMNS}`,
        [c.type, c.scriptName, c.dispatchNamespace, c.deadLetterQueue, toJson(c.settings), queueId, id],
      )
      return row ? toConsumer(dialect, row) : undefined
    },
    async deleteConsumer(queueId, id) {
      return (await db.run('DELETE FROM queue_consumers WHERE queue_id = $1 AND id = $2', [queueId, id])) === 1
    },
    async workerConsumers() {
      const consumers = await db.rows<ConsumerRow>(`SELECT ${CONSUMER_COLUMNS} FROM queue_consumers WHERE type = 'worker'`)
      if (consumers.length === 0) return []
      const queues = await db.rows<QueueRow>(`SELECT ${QUEUE_COLUMNS} FROM queues WHERE id = ANY($1::text[])`, [consumers.map((c) => c.queue_id)])
      return toQueues(dialect, queues, consumers).flatMap((queue) => queue.consumers.map((consumer) => ({ queue, consumer })))
    },
    async send(queueId, messages, now, retentionMs) {
      const ids = messages.map(() => hexId())
      // One statement: the batch is committed whole or not at all before the send is acknowledged.
      await db.run(
        `INSERT INTO queue_messages (id, queue_id, body, content_type, created_ms, visible_ms, expires_ms)
         SELECT m.id, $1, m.body, m.content_type, $2, $2 + m.delay_ms, $3
         FROM unnest($4::text[], $5::bytea[], $6::text[], $7::bigint[]) WITH ORDINALITY AS m(id, body, content_type, delay_ms, ord)
         ORDER BY m.ord`,
        [queueId, now, now + retentionMs, ids, messages.map((m) => asBuffer(m.body)), messages.map((m) => m.contentType), messages.map((m) => m.delaySeconds * 1000)],
      )
      return ids
    },
    async lease(queueId, r) {
      const rows = await db.tx(async (q) => {
        const dead = await q.rows<{ seq: string }>(
          'SELECT seq FROM queue_messages WHERE queue_id = $1 AND visible_ms <= $2 AND expires_ms > $2 AND attempts >= $3 FOR UPDATE SKIP LOCKED',
          [queueId, r.now, r.maxDeliveries],
        )
        if (dead.length > 0) {
          const seqs = dead.map((d) => d.seq)
          if (r.deadLetter)
            await q.run('UPDATE queue_messages SET queue_id = $1, attempts = 0, lease_id = NULL, visible_ms = $2, expires_ms = $3 WHERE seq = ANY($4::bigint[])', [
              r.deadLetter.queueId,
              r.now,
              r.now + r.deadLetter.retentionMs,
              seqs,
            ])
          else await q.run('DELETE FROM queue_messages WHERE seq = ANY($1::bigint[])', [seqs])
        }
        return q.rows<MessageRow>(
          `WITH picked AS (
             SELECT seq FROM queue_messages WHERE queue_id = $1 AND visible_ms <= $2 AND expires_ms > $2
             ORDER BY visible_ms, seq LIMIT $3 FOR UPDATE SKIP LOCKED)
           UPDATE queue_messages m SET lease_id = $4 || '.' || m.id, visible_ms = $2 + $5, attempts = m.attempts + 1
           FROM picked WHERE m.seq = picked.seq
           RETURNING m.id, m.lease_id, m.body, m.content_type, m.attempts, m.created_ms, m.seq`,
          [queueId, r.now, r.max, hexId(), r.visibilityMs],
        )
      })
      return toLeased(rows)
    },
    async settle(queueId, settlement, now) {
      return db.tx(async (q) => {
        const acked = settlement.acks.length === 0 ? 0 : await q.run('DELETE FROM queue_messages WHERE queue_id = $1 AND lease_id = ANY($2::text[])', [queueId, settlement.acks])
        let retried = 0
        for (const [delay, ids] of retriesByDelay(settlement.retries))
          retried += await q.run('UPDATE queue_messages SET lease_id = NULL, visible_ms = $1 WHERE queue_id = $2 AND lease_id = ANY($3::text[])', [now + delay * 1000, queueId, ids])
        return { acked, retried }
      })
    },
    async purge(queueId) {
      return db.run('DELETE FROM queue_messages WHERE queue_id = $1', [queueId])
    },
    async backlog(queueId, now) {
      const row = await db.one<{ n: string }>('SELECT count(*) AS n FROM queue_messages WHERE queue_id = $1 AND expires_ms > $2', [queueId, now])
      return Number(row?.n ?? 0)
    },
    async ready(now) {
      const rows = await db.rows<{ queue_id: string; ready: string; oldest: string }>(
        'SELECT queue_id, count(*) AS ready, min(visible_ms) AS oldest FROM queue_messages WHERE visible_ms <= $1 AND expires_ms > $1 GROUP BY queue_id',
        [now],
      )
      return rows.map((r) => ({ queueId: r.queue_id, ready: Number(r.ready), oldestMs: Number(r.oldest) }))
    },
    async deleteExpired(now) {
      return db.run('DELETE FROM queue_messages WHERE expires_ms <= $1', [now])
    },
  }
}
