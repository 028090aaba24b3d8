import { isMissingRoute } from '../lib/api-client.js'
import { HttpProbe } from '../lib/http-probe.js'
import { startBenchPlatform, type BenchPlatform } from '../lib/platform.js'
import { num, type Figure } from '../lib/report.js'
import { latencySummary } from '../lib/stats.js'
import { KV_WORKER } from '../lib/workers.js'
import type { Scenario } from './scenario.js'

type Operation = 'bindingPut' | 'restPut' | 'noRead' | 'bindingGet' | 'restGet' | 'bindingGetOwn' | 'bindingGetAgain' | 'bindingGetMany'

/** Gets of one cached key in one request: enough for their cost to stand out of the request's. */
const READS_PER_REQUEST = 10

/**
 * KV through a user Worker's binding and through the REST API, in its own platform (default
 * config; one keep-alive connection, so one edge process answers every binding request).
 */
export const kvScenario: Scenario = {
  id: 'kv',
  title: '4b. KV through the binding and the REST API',
  async run(ctx) {
    const platform = await startBenchPlatform()
    try {
      return await measureKv(platform, ctx.quick ? 300 : 1000)
    } finally {
      await platform.stop()
    }
  },
}

/**
 * KV reads and writes through a user Worker's binding (edge → dispatch Worker → user Worker →
 * env.KV → host entrypoint → read cache or Node) next to the same operations through the REST API,
 * interleaved one by one and timed by the client. A binding get is timed two ways: the whole
 * request (which also pays the edge path any request pays) and the get alone inside the Worker
 * (the same request without the get subtracted), which is what a Worker spends per read.
 */
export async function measureKv(platform: BenchPlatform, ops: number): Promise<{ figures: Figure[]; notes: string[] }> {
  const { accountId } = platform.platform.credentials
  const namespaces = `/accounts/${accountId}/storage/kv/namespaces`
  const created = await platform.api.json('POST', namespaces, { title: 'bench' })
  if (!created.body.success) {
    const why = isMissingRoute(created) ? 'the KV REST API is not there' : created.text.slice(0, 200)
    const skipped = { figure: 'KV through binding and REST', measured: 'skipped', baseline: '', ratio: '', target: '' }
    return { figures: [{ ...skipped, met: undefined }], notes: [`KV skipped: ${why}.`] }
  }
  const namespaceId = (created.body.result as { id: string }).id
  await platform.uploadUserWorker('kv', KV_WORKER, {
    bindings: [{ type: 'kv_namespace', name: 'KV', namespace_id: namespaceId }],
  })
  const values = `${namespaces}/${namespaceId}/values`
  const edge = new HttpProbe(platform.edgeOrigin, platform.dispatchHost)
  const ms: Record<Operation, number[]> = { bindingPut: [], restPut: [], noRead: [], bindingGet: [], restGet: [], bindingGetOwn: [], bindingGetAgain: [], bindingGetMany: [] }
  const failures: string[] = []
  // Edge probes and API calls both answer with status, text and ms.
  const record = (op: Operation, res: { status: number; text: string; ms: number }, ok: boolean) => {
    ms[op].push(res.ms)
    if (!ok && failures.length < 5) failures.push(`${op}: ${res.status} ${res.text.replace(/\s+/g, ' ').slice(0, 100)}`)
  }
  try {
    await edge.get('/kv?key=warm-up')
    for (let i = 0; i < ops; i++) {
      const value = `value-${i}`
      const bp = await edge.get(`/kv?key=b-${i}`, 'PUT', value)
      record('bindingPut', bp, bp.status === 200)
      const body = { contentType: 'application/octet-stream', data: value }
      const rp = await platform.api.call('PUT', `${values}/r-${i}`, body)
      record('restPut', rp, rp.body.success)
      const none = await edge.get(`/kv?key=r-${i}&reads=0`)
      record('noRead', none, none.text === 'no read')
      // The REST API's key through the binding: never read there, so Node answers.
      const bg = await edge.get(`/kv?key=r-${i}`)
      record('bindingGet', bg, bg.text === value)
      const rg = await platform.api.call('GET', `${values}/r-${i}`)
      record('restGet', rg, rg.text === value)
      // The binding's own write: the edge process that wrote it answers.
      const bo = await edge.get(`/kv?key=b-${i}`)
      record('bindingGetOwn', bo, bo.text === value)
      // A key read before: the edge process's read cache answers.
      const ba = await edge.get(`/kv?key=r-${i}`)
      record('bindingGetAgain', ba, ba.text === value)
      const bm = await edge.get(`/kv?key=r-${i}&reads=${READS_PER_REQUEST}`)
      record('bindingGetMany', bm, bm.text === value)
    }
  } finally {
    await edge.close()
  }
  const noRead = latencySummary(ms.noRead).p50
  return {
    figures: [
      row('KV get p50 / p99, whole request, first read (Node answers)', ms.bindingGet, ms.restGet, noRead),
      row('KV get p50 / p99, whole request, key read before (edge read cache)', ms.bindingGetAgain, ms.restGet, noRead),
      perGet('KV get in the Worker p50, first read (Node answers)', ms.bindingGet, 1, ms),
      perGet('KV get in the Worker p50, key written through this binding', ms.bindingGetOwn, 1, ms),
      perGet('KV get in the Worker p50, key read before (edge read cache)', ms.bindingGetMany, READS_PER_REQUEST, ms, 1.2),
      row('KV put p50 / p99, whole request', ms.bindingPut, ms.restPut, noRead),
    ],
    notes: [
      `KV: ${ops} interleaved rounds of put and get through a user Worker’s binding (edge → dispatch Worker → ` +
        'user Worker → env.KV → host entrypoint → edge read cache or Node) and through the REST API, one request at a time, ' +
        'over one keep-alive connection (so one edge process and its read cache). Per round the binding reads the key ' +
        'the REST API wrote (never read through a binding, so Node answers), the key it wrote itself (the edge process ' +
        `that wrote it keeps what it wrote), the REST key again (the read cache answers), then that key ${READS_PER_REQUEST} ` +
        'times in one request. “Whole request” rows time the client’s request, which also pays the edge path every ' +
        `request pays (the same request without a get: p50 ${num(noRead)} ms, in the baseline column). ` +
        '“In the Worker” rows are what one get costs a Worker: p50 of the request with the gets minus p50 of the ' +
        'same request without them, divided by the number of gets; the REST figure is a whole API call. ' +
        (failures.length ? `Failures: ${failures.join('; ')}` : 'Every value read back as written.'),
    ],
  }
}

/** One get's cost inside the Worker: (p50 with `reads` gets − p50 without) / reads, against a REST get. */
function perGet(figure: string, withGets: number[], reads: number, ms: Record<Operation, number[]>, maxRatio?: number): Figure {
  const cost = (latencySummary(withGets).p50 - latencySummary(ms.noRead).p50) / reads
  const rest = latencySummary(ms.restGet).p50
  const ratio = cost / rest
  return {
    figure,
    measured: `binding ${num(cost)} ms per get`,
    baseline: `REST ${num(rest)} ms per call`,
    ratio: `${num(ratio, 2)}×`,
    target: maxRatio === undefined ? '' : `≤ ${maxRatio}× REST`,
    met: maxRatio === undefined ? undefined : ratio <= maxRatio,
    data: { withGets, noRead: ms.noRead, rest: ms.restGet, reads },
  }
}

function row(figure: string, binding: number[], rest: number[], noRead: number): Figure {
  const b = latencySummary(binding)
  const r = latencySummary(rest)
  return {
    figure,
    measured: `binding ${num(b.p50)} / ${num(b.p99)} ms`,
    baseline: `REST ${num(r.p50)} / ${num(r.p99)} ms; request without KV ${num(noRead)} ms`,
    ratio: `${num(b.p50 / r.p50, 2)}×`,
    target: '',
    met: undefined,
    data: { binding, rest },
  }
}
