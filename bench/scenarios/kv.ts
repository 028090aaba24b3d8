import { isMissingRoute } from '../lib/api-client.js'
import { HttpProbe } from '../lib/http-probe.js'
import type { BenchPlatform } from '../lib/platform.js'
import { num, type Figure } from '../lib/report.js'
import { latencySummary } from '../lib/stats.js'
import { KV_WORKER } from '../lib/workers.js'

type Operation = 'bindingPut' | 'restPut' | 'bindingGet' | 'restGet' | 'bindingGetAgain'

/**
 * KV reads and writes through a user Worker's binding (edge → dispatch Worker → user Worker →
 * env.KV → control plane) next to the same operations through the REST API, interleaved one by
 * one and timed by the client. Part of the control-plane scenario.
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
  const ms: Record<Operation, number[]> = { bindingPut: [], restPut: [], bindingGet: [], restGet: [], bindingGetAgain: [] }
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
      const bg = await edge.get(`/kv?key=b-${i}`)
      record('bindingGet', bg, bg.text === value)
      const rg = await platform.api.call('GET', `${values}/r-${i}`)
      record('restGet', rg, rg.text === value)
      // The key again: answered from the edge process's read cache when it has one.
      const ba = await edge.get(`/kv?key=b-${i}`)
      record('bindingGetAgain', ba, ba.text === value)
    }
  } finally {
    await edge.close()
  }
  return {
    figures: [
      row('KV get p50 / p99', ms.bindingGet, ms.restGet),
      row('KV get p50 / p99, key read before (edge read cache)', ms.bindingGetAgain, ms.restGet, 1.2),
      row('KV put p50 / p99', ms.bindingPut, ms.restPut),
    ],
    notes: [
      `KV: ${ops} interleaved rounds of put and get through a user Worker’s binding (edge → dispatch Worker → ` +
        'user Worker → env.KV → control plane) and through the REST API, one request at a time; the binding ' +
        'reads each key twice: the first read follows its own put (which invalidated the edge’s read cache), ' +
        'the second can be answered by the edge process’s cache without Node. ' +
        (failures.length ? `Failures: ${failures.join('; ')}` : 'Every value read back as written.'),
    ],
  }
}

function row(figure: string, binding: number[], rest: number[], maxRatio?: number): Figure {
  const b = latencySummary(binding)
  const r = latencySummary(rest)
  const ratio = b.p50 / r.p50
  return {
    figure,
    measured: `binding ${num(b.p50)} / ${num(b.p99)} ms`,
    baseline: `REST ${num(r.p50)} / ${num(r.p99)} ms`,
    ratio: `${num(ratio, 2)}×`,
    target: maxRatio === undefined ? '' : `≤ ${maxRatio}× REST`,
    met: maxRatio === undefined ? undefined : ratio <= maxRatio,
    data: { binding, rest },
  }
}
