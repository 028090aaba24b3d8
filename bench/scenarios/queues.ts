import { performance } from 'node:perf_hooks'
import { HttpProbe } from '../lib/http-probe.js'
import { startBenchPlatform, type BenchPlatform } from '../lib/platform.js'
import { num, type Figure } from '../lib/report.js'
import type { Scenario } from './scenario.js'

/** Messages per producer request (one sendBatch, Cloudflare's most) and KV puts per baseline request. */
const PER_REQUEST = 100
const CLIENTS = 4

const PRODUCER = `export default {
  async fetch(request, env) {
    const from = Number(new URL(request.url).searchParams.get('from'))
    await env.JOBS.sendBatch(Array.from({ length: ${PER_REQUEST} }, (_, i) => ({ body: { i: from + i }, contentType: 'json' })))
    return new Response('sent')
  },
}`

const CONSUMER = `export default { async queue(batch) { for (const m of batch.messages) m.ack() } }`

const KV_WRITER = `export default {
  async fetch(request, env) {
    const from = Number(new URL(request.url).searchParams.get('from'))
    await Promise.all(Array.from({ length: ${PER_REQUEST} }, (_, i) => env.KV.put('k' + (from + i), JSON.stringify({ i: from + i }))))
    return new Response('stored')
  },
}`

/**
 * Queue throughput end to end: a user Worker sends batches of 100 messages (edge → dispatch Worker
 * → user Worker → env.JOBS → control plane), and a consumer user Worker acknowledges them; the
 * clock runs from the first send until the last acknowledgement. Next to it, the same number of KV
 * puts through a user Worker's binding, 100 per request: the nearest thing that also writes every
 * item to the store through the binding path.
 */
export const queuesScenario: Scenario = {
  id: 'queues',
  title: '8. Queues',
  async run(ctx) {
    const total = ctx.quick ? 2_000 : 20_000
    const platform = await startBenchPlatform()
    try {
      const queue = await setUp(platform)
      const sent = await drive(platform, total, 'producer')
      const acked = await waitForAcks(platform, total)
      const queueSeconds = (acked - sent.started) / 1000
      ctx.log(`queues: ${total} messages in ${num(queueSeconds, 1)} s`)
      const kv = await drive(platform, total, 'kv-writer')
      const kvSeconds = (kv.finished - kv.started) / 1000
      const perSecond = total / queueSeconds
      const kvPerSecond = total / kvSeconds
      const figure: Figure = {
        figure: `queue throughput, send → consumer ack (${total} messages, batches of ${PER_REQUEST})`,
        measured: `${num(perSecond)} msg/s`,
        baseline: `KV puts through the binding ${num(kvPerSecond)} /s`,
        ratio: `${num(perSecond / kvPerSecond, 2)}×`,
        target: '',
        met: undefined,
        data: { total, queueSeconds, kvSeconds, sendSeconds: (sent.finished - sent.started) / 1000, failures: sent.failures + kv.failures },
      }
      return {
        figures: [figure],
        notes: [
          `Queues: ${CLIENTS} clients send ${total / PER_REQUEST} requests of ${PER_REQUEST} messages through a user Worker's queue binding; ` +
            `a consumer user Worker (batch_size 100, max_batch_timeout 0) acks them. Sending took ${num((sent.finished - sent.started) / 1000, 1)} s of the ` +
            `${num(queueSeconds, 1)} s. Baseline: the same number of KV puts, ${PER_REQUEST} per request through a user Worker's binding. ` +
            `Failed requests: ${sent.failures} producer, ${kv.failures} KV (queue ${queue}).`,
        ],
      }
    } finally {
      await platform.stop()
    }
  },
}

async function setUp(p: BenchPlatform): Promise<string> {
  const { accountId } = p.platform.credentials
  const queue = await p.api.json('POST', `/accounts/${accountId}/queues`, { queue_name: 'bench-jobs' })
  if (!queue.body.success) throw new Error(`cannot create the queue: ${queue.text.slice(0, 200)}`)
  const queueId = (queue.body.result as { queue_id: string }).queue_id
  const kv = await p.api.json('POST', `/accounts/${accountId}/storage/kv/namespaces`, { title: 'bench-queues' })
  await p.uploadUserWorker('producer', PRODUCER, { bindings: [{ type: 'queue', name: 'JOBS', queue_name: 'bench-jobs' }] })
  await p.uploadUserWorker('consumer', CONSUMER)
  await p.uploadUserWorker('kv-writer', KV_WRITER, { bindings: [{ type: 'kv_namespace', name: 'KV', namespace_id: (kv.body.result as { id: string }).id }] })
  const consumer = await p.api.json('POST', `/accounts/${accountId}/queues/${queueId}/consumers`, {
    type: 'worker',
    script_name: 'consumer',
    dispatch_namespace: p.namespace,
    settings: { batch_size: 100, max_wait_time_ms: 0 },
  })
  if (!consumer.body.success) throw new Error(`cannot add the consumer: ${consumer.text.slice(0, 200)}`)
  return queueId
}

async function drive(p: BenchPlatform, total: number, worker: string): Promise<{ started: number; finished: number; failures: number }> {
  let next = 0
  let failures = 0
  const started = performance.now()
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      const probe = new HttpProbe(p.edgeOrigin, p.dispatchHost, 30_000)
      try {
        while (next < total) {
          const from = next
          next += PER_REQUEST
          const res = await probe.get(`/${worker}?from=${from}`)
          if (res.status !== 200) failures++
        }
      } finally {
        await probe.close()
      }
    }),
  )
  return { started, finished: performance.now(), failures }
}

/** When the meter has counted `total` acknowledgements (performance.now() time). */
async function waitForAcks(p: BenchPlatform, total: number): Promise<number> {
  const acked = () => p.platform.queueMeter.snapshot().filter((u) => u.operation === 'delete').reduce((n, u) => n + u.count, 0)
  const deadline = performance.now() + 300_000
  while (acked() < total) {
    if (performance.now() > deadline) throw new Error(`only ${acked()} of ${total} messages were acknowledged in 5 minutes`)
    await new Promise((r) => setTimeout(r, 20))
  }
  return performance.now()
}
