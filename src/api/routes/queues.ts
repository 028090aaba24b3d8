import { Hono } from 'hono'
import { malformedBody, queueConsumerNotFound, queueInvalidRequest } from '../../domain/errors.js'
import { QueueMeter } from '../../queues/meter.js'
import { QueueService } from '../../queues/service.js'
import type { LeasedMessage, Queue, QueueConsumer, QueueContentType, QueueProducer } from '../../storage/queue-store.js'
import { intParam, readJson, readJsonObject, readTextLimited } from '../body.js'
import type { ApiDeps, ApiEnv } from '../context.js'
import { ok, paginate } from '../envelope.js'

/** A queue as Cloudflare shows it; `producers` are the scripts whose deployed version binds it. */
export function queueView(q: Queue, producers: readonly QueueProducer[]) {
  const own = producers.filter((p) => p.queueName === q.name).map(producerView)
  return {
    queue_id: q.id,
    queue_name: q.name,
    created_on: q.createdOn,
    modified_on: q.modifiedOn,
    producers: own,
    producers_total_count: own.length,
    consumers: q.consumers.map((c) => consumerView(c, q.name)),
    consumers_total_count: q.consumers.length,
    settings: {
      delivery_delay: q.settings.deliveryDelay,
      delivery_paused: q.settings.deliveryPaused,
      message_retention_period: q.settings.messageRetentionPeriod,
    },
  }
}

/** Cloudflare's worker producer (`{ type, script }`); a namespace script also names its namespace, as consumers do. */
const producerView = (p: QueueProducer) => ({
  type: 'worker' as const,
  script: p.script,
  ...(p.dispatchNamespace ? { dispatch_namespace: p.dispatchNamespace } : {}),
})

export function consumerView(c: QueueConsumer, queueName: string) {
  const common = {
    consumer_id: c.id,
    created_on: c.createdOn,
    queue_id: c.queueId,
    queue_name: queueName,
    dead_letter_queue: c.deadLetterQueue ?? '',
    type: c.type,
  }
  if (c.type === 'http_pull')
    return {
      ...common,
      settings: { batch_size: c.settings.batchSize, max_retries: c.settings.maxRetries, retry_delay: c.settings.retryDelay, visibility_timeout_ms: c.settings.visibilityTimeoutMs },
    }
  return {
    ...common,
    script: c.scriptName,
    script_name: c.scriptName,
    ...(c.dispatchNamespace ? { dispatch_namespace: c.dispatchNamespace } : {}),
    settings: {
      batch_size: c.settings.batchSize,
      max_concurrency: c.settings.maxConcurrency,
      max_retries: c.settings.maxRetries,
      max_wait_time_ms: c.settings.maxWaitTimeMs,
      retry_delay: c.settings.retryDelay,
    },
  }
}

const pulledView = (m: LeasedMessage) => ({
  id: m.id,
  lease_id: m.leaseId,
  body: m.contentType === 'text' || m.contentType === 'json' ? new TextDecoder().decode(m.body) : Buffer.from(m.body).toString('base64'),
  attempts: m.attempts,
  metadata: { 'CF-sourceMessageSource': 'api', 'CF-Content-Type': m.contentType },
  timestamp_ms: m.timestampMs,
})

/** The body of a message the REST API pushes: Cloudflare's `text` (a string) or `json` (any JSON value). */
function apiMessage(raw: unknown): { body: Uint8Array; contentType: QueueContentType; delaySeconds?: number } {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw queueInvalidRequest('Every message must be an object with a body')
  const m = raw as Record<string, unknown>
  if (m.body === undefined) throw queueInvalidRequest('A message needs a body')
  const contentType = m.content_type ?? 'json'
  const delay = m.delay_seconds as number | undefined
  if (contentType === 'text') {
    if (typeof m.body !== 'string') throw queueInvalidRequest('A text message body must be a string')
    return { body: new TextEncoder().encode(m.body), contentType, ...(delay !== undefined ? { delaySeconds: delay } : {}) }
  }
  if (contentType !== 'json') throw queueInvalidRequest(`Unsupported content_type '${String(contentType)}': use text or json`)
  return { body: new TextEncoder().encode(JSON.stringify(m.body)), contentType, ...(delay !== undefined ? { delaySeconds: delay } : {}) }
}

/** Pushing a batch may carry 100 messages of 128 KB (as JSON text, some more for escapes). */
const PUSH_BODY_LIMIT = 2 * 1024 * 1024

/** `/accounts/:accountId/queues[/:queueId[/consumers|/messages|/purge]]`, Cloudflare Queues' REST API. */
export function queueRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const queues = deps.queues ?? new QueueService({ store: deps.store, clock: deps.clock, meter: new QueueMeter() })
  const app = new Hono<ApiEnv>()
  const base = '/accounts/:accountId/queues'
  const account = (c: { get(k: 'account'): { id: ApiEnvAccountId } }) => c.get('account').id

  app.get(base, async (c) => {
    const names = c.req.queries('name')
    const page = intParam(c.req.query('page'), 1, 1, Number.MAX_SAFE_INTEGER)
    const perPage = intParam(c.req.query('per_page'), 100, 1, 1000)
    const list = await queues.list(account(c), names && names.length > 0 ? names : undefined)
    const producers = await queues.producers(account(c))
    const { items, info } = paginate(list.map((q) => queueView(q, producers)), page, perPage)
    return c.json(ok(items, info))
  })
  /** A queue with its producers (the account's scripts binding its name). */
  const view = async (c: { get(k: 'account'): { id: ApiEnvAccountId } }, q: Queue) => queueView(q, await queues.producers(account(c)))
  app.post(base, async (c) => c.json(ok(await view(c, await queues.create(account(c), await readJsonObject(c))))))
  app.get(`${base}/:queueId`, async (c) => c.json(ok(await view(c, await queues.get(account(c), c.req.param('queueId'))))))
  app.put(`${base}/:queueId`, async (c) =>
    c.json(ok(await view(c, await queues.update(account(c), c.req.param('queueId'), await readJsonObject(c), 'replace')))),
  )
  app.patch(`${base}/:queueId`, async (c) =>
    c.json(ok(await view(c, await queues.update(account(c), c.req.param('queueId'), await readJsonObject(c), 'patch')))),
  )
  app.delete(`${base}/:queueId`, async (c) => {
    await queues.delete(account(c), c.req.param('queueId'))
    return c.json(ok({}))
  })

  app.get(`${base}/:queueId/consumers`, async (c) => {
    const q = await queues.get(account(c), c.req.param('queueId'))
    return c.json(ok(q.consumers.map((x) => consumerView(x, q.name))))
  })
  app.post(`${base}/:queueId/consumers`, async (c) => {
    const q = await queues.get(account(c), c.req.param('queueId'))
    return c.json(ok(consumerView(await queues.addConsumer(account(c), q.id, await readJsonObject(c)), q.name)))
  })
  app.get(`${base}/:queueId/consumers/:consumerId`, async (c) => {
    const q = await queues.get(account(c), c.req.param('queueId'))
    const found = q.consumers.find((x) => x.id === c.req.param('consumerId'))
    if (!found) throw queueConsumerNotFound()
    return c.json(ok(consumerView(found, q.name)))
  })
  app.put(`${base}/:queueId/consumers/:consumerId`, async (c) => {
    const q = await queues.get(account(c), c.req.param('queueId'))
    const updated = await queues.updateConsumer(account(c), q.id, c.req.param('consumerId'), await readJsonObject(c))
    return c.json(ok(consumerView(updated, q.name)))
  })
  app.delete(`${base}/:queueId/consumers/:consumerId`, async (c) => {
    await queues.deleteConsumer(account(c), c.req.param('queueId'), c.req.param('consumerId'))
    return c.json(ok({}))
  })

  app.post(`${base}/:queueId/messages`, async (c) => {
    const q = await queues.get(account(c), c.req.param('queueId'))
    await queues.send({ accountId: account(c) }, q, [apiMessage(await readJson(c, PUSH_BODY_LIMIT))])
    return c.json(ok(null))
  })
  app.post(`${base}/:queueId/messages/batch`, async (c) => {
    const q = await queues.get(account(c), c.req.param('queueId'))
    const body = (await readJson(c, PUSH_BODY_LIMIT)) as Record<string, unknown> | null
    const list = body?.messages
    if (!Array.isArray(list)) throw queueInvalidRequest('messages must be an array')
    const batchDelay = body?.delay_seconds as number | undefined
    const messages = list.map((m) => {
      const one = apiMessage(m)
      return one.delaySeconds === undefined && batchDelay !== undefined ? { ...one, delaySeconds: batchDelay } : one
    })
    await queues.send({ accountId: account(c) }, q, messages)
    return c.json(ok(null))
  })
  app.post(`${base}/:queueId/messages/pull`, async (c) => {
    const body = await optionalJsonObject(c)
    const { backlog, messages } = await queues.pull(account(c), c.req.param('queueId'), body)
    return c.json(ok({ message_backlog_count: backlog, messages: messages.map(pulledView) }))
  })
  app.post(`${base}/:queueId/messages/ack`, async (c) => {
    return c.json(ok(await queues.ack(account(c), c.req.param('queueId'), await readJsonObject(c))))
  })
  app.post(`${base}/:queueId/purge`, async (c) => {
    const body = await optionalJsonObject(c)
    if (body.delete_messages_permanently === false) throw queueInvalidRequest('delete_messages_permanently must be true')
    return c.json(ok(await view(c, await queues.purge(account(c), c.req.param('queueId')))))
  })
  // A purge here is immediate: it is complete by the time anyone asks.
  app.get(`${base}/:queueId/purge`, async (c) => {
    await queues.get(account(c), c.req.param('queueId'))
    return c.json(ok({ completed: true, started_at: new Date(deps.clock.now()).toISOString() }))
  })
  return app
}

type ApiEnvAccountId = ApiEnv['Variables']['account']['id']

/** pull and purge may come with no body at all (their settings have defaults). */
async function optionalJsonObject(c: Parameters<typeof readTextLimited>[0]): Promise<Record<string, unknown>> {
  const text = await readTextLimited(c)
  if (text.trim() === '') return {}
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (e) {
    throw malformedBody(`the body is not valid JSON (${(e as Error).message})`)
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw malformedBody('expected a JSON object')
  return value as Record<string, unknown>
}
