import type { AccountId } from '../../domain/ids.js'
import { ApiError, queueInvalidRequest } from '../../domain/errors.js'
import { QueueMeter } from '../../queues/meter.js'
import { QueueService } from '../../queues/service.js'
import type { InternalHandler, InternalHandlerDeps } from '../kind.js'
import { base64Bytes, QUEUE_ERROR_HEADER, QUEUE_WIRE, type WireQueueMessage } from './wire.js'

const CONTENT_TYPES = new Set(['text', 'json', 'bytes', 'v8'])
/** 100 messages of 128 KB in base64, with room for the JSON around them. */
const MAX_SEND_BODY = 24 * 1024 * 1024

/**
 * Node's half of the queue binding: a producer's batch, checked against Cloudflare's limits by the
 * queue service (the REST API's rules) and committed before the Worker's send() resolves.
 */
export function queueInternal(deps: InternalHandlerDeps): InternalHandler[] {
  const queues = deps.queues ?? new QueueService({ store: deps.store as never, clock: deps.clock, meter: new QueueMeter() })
  return [
    {
      route: QUEUE_WIRE.send,
      async handle(request, params) {
        try {
          const accountId = (params.account ?? '') as AccountId
          const url = new URL(request.url)
          const text = await request.text()
          if (text.length > MAX_SEND_BODY) throw queueInvalidRequest('The batch is too large')
          const body = JSON.parse(text) as { messages?: WireQueueMessage[] }
          if (!Array.isArray(body.messages)) throw queueInvalidRequest('messages must be an array')
          const messages = body.messages.map((m) => {
            if (!CONTENT_TYPES.has(m.contentType) || typeof m.body !== 'string') throw queueInvalidRequest('Malformed queue message')
            return { body: base64Bytes(m.body), contentType: m.contentType, ...(m.delaySeconds !== undefined ? { delaySeconds: m.delaySeconds } : {}) }
          })
          const queue = await queues.byName(accountId, params.queue ?? '')
          await queues.send({ accountId, script: { namespaceId: url.searchParams.get('ns') ?? '', name: url.searchParams.get('script') ?? '' } }, queue, messages)
          return new Response(null, { status: 200 })
        } catch (e) {
          if (!(e instanceof ApiError)) throw e
          return new Response(`${e.message} (${e.code})`, { status: e.status, headers: { [QUEUE_ERROR_HEADER]: String(e.code) } })
        }
      },
    },
  ]
}
