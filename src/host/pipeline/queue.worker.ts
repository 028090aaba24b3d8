import type { QueueRun, QueueRunResult } from '../../shared/protocol.js'
import { base64Bytes, decodeClone } from '../../bindings/queue/wire.js'
import type { HostEnv } from '../env.worker.js'
import { isResourceLimit, runContained } from './invoke.worker.js'
import { lookupScript } from './registry.worker.js'
import { versionFor } from './versions.worker.js'

/** workerd's Fetcher.queue() (compatibility flag service_binding_extra_handlers on the host). */
interface QueueFetcher {
  queue(
    queueName: string,
    messages: Array<{ id: string; timestamp: Date; body: unknown; attempts: number }>,
  ): Promise<{
    outcome: string
    ackAll: boolean
    retryBatch: { retry: boolean; delaySeconds?: number }
    explicitAcks: string[]
    retryMessages: Array<{ msgId: string; delaySeconds?: number }>
  }>
}

class SendToProbation extends Error {}

const nothingDecided = { ackAll: false, retryAll: false, explicitAcks: [], retries: [] }

/** A body as the consumer sees it, decoded per the content type the producer chose. */
function bodyOf(m: QueueRun['messages'][number]): unknown {
  const bytes = base64Bytes(m.body)
  if (m.contentType === 'bytes') return bytes
  const text = new TextDecoder().decode(bytes)
  if (m.contentType === 'text') return text
  if (m.contentType === 'json') return JSON.parse(text)
  return decodeClone(text)
}

/**
 * Delivers one batch to the script's `queue(batch, env, ctx)` through the Worker Loader's
 * entrypoint, under the same containment as a request (deadline, marks, counters, probation).
 */
export async function runQueue(env: HostEnv, ctx: ExecutionContext<unknown>, run: QueueRun): Promise<QueueRunResult> {
  const found = await lookupScript(env, run.accountId, run.namespaceId, run.script)
  if (!found || found.mainModule === '') return { outcome: 'missing', ...nothingDecided }
  const d = versionFor(found, new Request('http://queue.invalid/'))
  const messages = run.messages.map((m) => ({ id: m.id, timestamp: new Date(m.timestampMs), body: bodyOf(m), attempts: m.attempts }))
  try {
    const r = await runContained(env, ctx, d, {}, {
      call: (worker) => (worker.getEntrypoint() as unknown as QueueFetcher).queue(run.queueName, messages),
      meteredInIsolate: d.format !== 'service-worker',
      onProbation: () => Promise.reject(new SendToProbation()),
    })
    return {
      outcome: r.outcome === 'ok' ? 'ok' : 'exception',
      ...(r.outcome === 'ok' ? {} : { error: r.outcome }),
      ackAll: r.ackAll,
      retryAll: r.retryBatch.retry,
      ...(r.retryBatch.delaySeconds !== undefined ? { retryAllDelaySeconds: r.retryBatch.delaySeconds } : {}),
      explicitAcks: [...r.explicitAcks],
      retries: r.retryMessages.map((x) => ({ id: x.msgId, ...(x.delaySeconds !== undefined ? { delaySeconds: x.delaySeconds } : {}) })),
    }
  } catch (err) {
    if (err instanceof SendToProbation) return { outcome: 'probation', ...nothingDecided }
    const message = err instanceof Error ? err.message : String(err)
    return { outcome: isResourceLimit(err) ? 'exceededResources' : 'exception', error: message, ...nothingDecided }
  }
}
