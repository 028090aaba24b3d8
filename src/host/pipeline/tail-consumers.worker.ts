import { TAIL_ENTRYPOINT, type ScriptDescriptor, type TailDelivery } from '../../shared/protocol.js'
import { TAIL_SHIM_PATH } from '../shims/tail-shim.worker.js'
import type { HostEnv } from '../env.worker.js'
import { runContained } from './invoke.worker.js'
import { lookupScript } from './registry.worker.js'
import { scriptKey } from '../containment/guard.worker.js'

/**
 * A TraceItem as plain data. workerd's TraceItem objects cannot cross an RPC boundary, and their
 * JSON form holds every field a tail() handler reads.
 */
export type TraceData = Record<string, unknown>

/** The consumer side of our tail shim, as the Worker Loader's stub presents it. */
interface TailReceiver extends Rpc.WorkerEntrypointBranded {
  tail(events: TraceData[]): Promise<void>
}

/**
 * Cloudflare's Tail Workers: after each invocation of a producer that lists `tail_consumers`, each
 * consumer's tail() receives the invocation's TraceItems. This runs in the host's Tail entrypoint,
 * which workerd calls once the producer's invocation is over, so a consumer never delays or fails
 * the producer's response. Each consumer call is an invocation of its own (its own containment,
 * deadline and subrequest budget), and a failing consumer is only logged.
 */
export async function deliverToConsumers(
  env: HostEnv,
  ctx: ExecutionContext<unknown>,
  producer: ScriptDescriptor,
  events: TraceData[],
): Promise<void> {
  const tail = producer.tail
  if (!tail) return
  // A consumer's own tail() invocations are not forwarded again: a Worker that tails itself (or two
  // that tail each other) would otherwise never stop.
  const items = events.filter((e) => !isTailEvent(e)).map((e) => asTraceItem(e, producer, tail))
  if (items.length === 0) return
  // In the listed order, one after the other: a consumer sees the items once the one before it is done.
  for (const consumer of tail.consumers) {
    try {
      await callConsumer(env, ctx, producer, consumer, items)
    } catch (err) {
      const name = `${consumer.namespaceId ? `${consumer.namespaceId}/` : ''}${consumer.name}`
      console.error(`[${producer.accountId}/${name}] tail consumer failed:`, err instanceof Error ? err.message : String(err))
    }
  }
}

async function callConsumer(
  env: HostEnv,
  ctx: ExecutionContext<unknown>,
  producer: ScriptDescriptor,
  consumer: TailDelivery['consumers'][number],
  items: TraceData[],
): Promise<void> {
  // Only ever the producer's own account: the descriptor resolved the consumer there.
  const d = await lookupScript(env, producer.accountId, consumer.namespaceId, consumer.name)
  // Service-worker scripts receive tail events through addEventListener('trace'), which the host
  // cannot dispatch into a loaded Worker; assets-only scripts have no handler at all.
  if (!d || d.mainModule === '' || d.format !== 'modules') return
  await runContained(env, ctx, d, {}, {
    call: (worker) => {
      if (d.traced) noteSource(d, producer.name)
      return worker.getEntrypoint<TailReceiver>(TAIL_ENTRYPOINT).tail(items)
    },
    // A suspect consumer stays off the shared processes; it misses these events, not its producer.
    onProbation: async () => undefined,
  })
}

/**
 * The producers a traced consumer's tail() calls were for, oldest first, so the consumer's own
 * TraceItem can name them as Cloudflare's does (`consumedEvents`). Its trace reaches this process's
 * Tail entrypoint after the call, usually in call order; bounded in case a trace never comes.
 */
const sources = new Map<string, string[]>()
const MAX_SOURCES = 32

function noteSource(consumer: ScriptDescriptor, producerName: string): void {
  const key = scriptKey(consumer.accountId, consumer.namespaceId, consumer.name)
  const queue = sources.get(key) ?? []
  queue.push(producerName)
  if (queue.length > MAX_SOURCES) queue.shift()
  sources.set(key, queue)
}

/**
 * A consumer's own TraceItem for one tail() call arrives as an RPC call to our shim's entrypoint;
 * Cloudflare reports it as a tail event naming the producer, and so do we. workerd counts an RPC
 * call that threw as 'ok' (the caller got the exception); the shim records the handler's exception,
 * which makes the invocation's outcome 'exception' as on Cloudflare.
 */
export function asTailEvent(e: TraceData, consumer: { accountId: string; namespaceId: string; script: string }): TraceData {
  if (e.entrypoint !== TAIL_ENTRYPOINT) return e
  const key = scriptKey(consumer.accountId, consumer.namespaceId, consumer.script)
  const queue = sources.get(key)
  const producer = queue?.shift() ?? null
  if (queue?.length === 0) sources.delete(key)
  const { entrypoint: _shim, ...rest } = e
  const exceptions = Array.isArray(e.exceptions) ? (e.exceptions as TraceData[]).map(withoutShimFrames) : []
  return {
    ...rest,
    ...(exceptions.length > 0 && e.outcome === 'ok' ? { outcome: 'exception' } : {}),
    exceptions,
    event: { consumedEvents: [{ scriptName: producer }] },
  }
}

/** Stack frames of our shim's module say nothing to the Worker's author. */
function withoutShimFrames(x: TraceData): TraceData {
  if (typeof x.stack !== 'string') return x
  return { ...x, stack: x.stack.split('\n').filter((line) => !line.includes(TAIL_SHIM_PATH)).join('\n') }
}

const isTailEvent = (e: TraceData): boolean => typeof e.event === 'object' && e.event !== null && 'consumedEvents' in e.event

/**
 * The TraceItem Cloudflare hands a Tail Worker. Loaded isolates report no script name, namespace,
 * tags or version of their own, so the producer's descriptor supplies them.
 */
function asTraceItem(e: TraceData, producer: ScriptDescriptor, tail: TailDelivery): TraceData {
  return {
    ...e,
    scriptName: producer.name,
    scriptVersion: { id: producer.versionId },
    scriptTags: tail.scriptTags,
    ...(tail.dispatchNamespace !== undefined ? { dispatchNamespace: tail.dispatchNamespace } : {}),
  }
}
