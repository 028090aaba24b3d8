import { performance } from 'node:perf_hooks'
import { isMissingRoute } from '../lib/api-client.js'
import { HttpProbe } from '../lib/http-probe.js'
import { startBenchPlatform, type BenchPlatform } from '../lib/platform.js'
import { num, type Figure } from '../lib/report.js'
import { latencySummary } from '../lib/stats.js'
import { helloWorker, KV_WORKER } from '../lib/workers.js'
import type { BenchContext, Scenario } from './scenario.js'

/** Concurrent upload clients: a few CI pipelines deploying at once. */
const UPLOADERS = 4
const GROUPS = 10
const DELETE_PAGE = 100

const info = (figure: string, measured: string, data?: Record<string, unknown>): Figure => ({
  figure,
  measured,
  baseline: '',
  ratio: '',
  target: '',
  met: undefined,
  ...(data ? { data } : {}),
})

/**
 * The control plane with many scripts in one namespace: upload throughput with a few concurrent
 * clients, list and delete by tag filter per call; KV reads and writes through a Worker's binding
 * and through the REST API, side by side.
 */
export const controlPlaneScenario: Scenario = {
  id: 'control-plane',
  title: '4. Control plane at scale',
  async run(ctx) {
    const platform = await startBenchPlatform()
    try {
      const kv = await measureKv(ctx, platform)
      const scale = await measureScale(ctx, platform)
      return { figures: [...scale.figures, ...kv.figures], notes: [...scale.notes, ...kv.notes] }
    } finally {
      await platform.stop()
    }
  },
}

async function measureScale(ctx: BenchContext, platform: BenchPlatform): Promise<{ figures: Figure[]; notes: string[] }> {
  const wanted = ctx.quick ? 5_000 : 100_000
  const budgetMs = ctx.quick ? 25_000 : 180_000
  const deleteBudgetMs = ctx.quick ? 10_000 : 30_000
  const { accountId } = platform.platform.credentials
  const base = `/accounts/${accountId}/workers/dispatch/namespaces/${platform.namespace}/scripts`

  const uploadMs: number[] = []
  let next = 0
  const started = performance.now()
  const deadline = started + budgetMs
  const uploader = async () => {
    while (next < wanted && performance.now() < deadline) {
      const i = next++
      const res = await platform.uploadUserWorker(`s-${i}`, helloWorker(`s-${i}`), { tags: [`g${i % GROUPS}`, `b${Math.floor(i / 1000)}`] })
      uploadMs[i] = res.ms
      if (i % 5000 === 4999) ctx.log(`control plane: ${i + 1} uploads`)
    }
  }
  await Promise.all(Array.from({ length: UPLOADERS }, uploader))
  const uploaded = next
  const elapsed = performance.now() - started
  const firstK = uploadMs.slice(0, 1000)
  const lastK = uploadMs.slice(Math.max(0, uploaded - 1000), uploaded)

  const listMs: number[] = []
  const listed: number[] = []
  for (let j = 0; j < 20; j++) {
    const filter = j % 2 === 0 ? `g${j % GROUPS}:yes` : `g${j % GROUPS}:no`
    const res = await platform.api.call('GET', `${base}?tags=${filter}&limit=1000`)
    if (!res.body.success) throw new Error(`list failed: ${res.text.slice(0, 200)}`)
    listMs.push(res.ms)
    listed.push((res.body.result as unknown[]).length)
  }

  const deleteMs: number[] = []
  let deleted = 0
  let deleteCut = false
  const deleteStarted = performance.now()
  for (const group of [GROUPS - 1, GROUPS - 2]) {
    for (let more = true; more && performance.now() - deleteStarted < deleteBudgetMs; ) {
      const res = await platform.api.call('DELETE', `${base}?tags=g${group}:yes&limit=${DELETE_PAGE}`)
      if (!res.body.success) throw new Error(`delete failed: ${res.text.slice(0, 200)}`)
      const result = res.body.result as { deleted_count: number; has_more: boolean }
      deleteMs.push(res.ms)
      deleted += result.deleted_count
      more = result.has_more
    }
    if (performance.now() - deleteStarted >= deleteBudgetMs) deleteCut = true
  }
  const deleteSeconds = (performance.now() - deleteStarted) / 1000
  ctx.log(`control plane: ${uploaded} uploads in ${num(elapsed / 1000)} s, ${deleted} deleted by tag`)

  const up = latencySummary(uploadMs.slice(0, uploaded))
  const figures: Figure[] = [
    info(`scripts uploaded into one namespace (asked ${wanted.toLocaleString('en-US')})`, uploaded.toLocaleString('en-US')),
    info(
      `upload throughput, ${UPLOADERS} concurrent clients`,
      `${num((uploaded / elapsed) * 1000)} uploads/s`,
      { uploaded, seconds: elapsed / 1000 },
    ),
    info('upload call p50 / p99', `${num(up.p50)} / ${num(up.p99)} ms`),
    info(
      'upload call p50, first 1,000 vs last 1,000',
      `${num(latencySummary(firstK).p50)} → ${num(latencySummary(lastK).p50)} ms`,
    ),
    info(
      'list by tag filter (one page of ≤ 1,000), p50 / p99',
      `${num(latencySummary(listMs).p50)} / ${num(latencySummary(listMs).p99)} ms`,
      { listMs, listed },
    ),
    info(
      `delete by tag filter (${DELETE_PAGE} scripts per call), p50 / p99`,
      `${num(latencySummary(deleteMs).p50)} / ${num(latencySummary(deleteMs).p99)} ms; ${num(deleted / deleteSeconds)} scripts/s`,
      { deleteMs, deleted },
    ),
  ]
  const notes = [
    `Uploads: ${UPLOADERS} clients in the bench process (same Node thread as the API: in-process platform), each a multipart upload of a distinct hello world with 2 tags, via ${platform.uploadPaths.namespaceScripts === 'api' ? 'the v4 API' : 'store.publish (upload route absent)'}.` +
      (uploaded < wanted ? ` Stopped at ${uploaded.toLocaleString('en-US')} of ${wanted.toLocaleString('en-US')} after the ${budgetMs / 1000} s budget: the full count does not fit the run's time on this machine.` : ''),
    `List: 20 calls alternating \`?tags=gN:yes\` (${(uploaded / GROUPS).toFixed(0)} matches) and \`?tags=gN:no\` with limit=1000; items per page ${Math.min(...listed)}–${Math.max(...listed)}. ` +
      `Delete: \`DELETE …/scripts?tags=gN:yes&limit=${DELETE_PAGE}\` until has_more is false, for 2 groups (${deleted} scripts, ${deleteMs.length} calls)` +
      (deleteCut ? `, stopped by its ${deleteBudgetMs / 1000} s budget.` : '.'),
  ]
  return { figures, notes }
}

async function measureKv(ctx: BenchContext, platform: BenchPlatform): Promise<{ figures: Figure[]; notes: string[] }> {
  const ops = ctx.quick ? 200 : 1000
  const { accountId } = platform.platform.credentials
  const created = await platform.api.json('POST', `/accounts/${accountId}/storage/kv/namespaces`, { title: 'bench' })
  if (!created.body.success) {
    const why = isMissingRoute(created) ? 'the KV REST API is not there' : created.text.slice(0, 200)
    return { figures: [info('KV through binding and REST', 'skipped')], notes: [`KV skipped: ${why}.`] }
  }
  const namespaceId = (created.body.result as { id: string }).id
  await platform.uploadUserWorker('kv', KV_WORKER, { bindings: [{ type: 'kv_namespace', name: 'KV', namespace_id: namespaceId }] })
  const edge = new HttpProbe(platform.edgeOrigin, platform.dispatchHost)
  const values = `/accounts/${accountId}/storage/kv/namespaces/${namespaceId}/values`
  const ms = { bindingPut: [] as number[], restPut: [] as number[], bindingGet: [] as number[], restGet: [] as number[] }
  const failures: string[] = []
  const check = (what: string, ok: boolean, detail: string) => {
    if (!ok && failures.length < 5) failures.push(`${what}: ${detail.replace(/\s+/g, ' ').slice(0, 100)}`)
  }
  try {
    await edge.get('/kv?key=warm-up')
    for (let i = 0; i < ops; i++) {
      const value = `value-${i}`
      const bp = await edge.get(`/kv?key=b-${i}`, 'PUT', value)
      check('binding put', bp.status === 200, `${bp.status} ${bp.text}`)
      ms.bindingPut.push(bp.ms)
      const rp = await platform.api.call('PUT', `${values}/r-${i}`, { contentType: 'application/octet-stream', data: value })
      check('REST put', rp.body.success, rp.text)
      ms.restPut.push(rp.ms)
      const bg = await edge.get(`/kv?key=b-${i}`)
      check('binding get', bg.text === value, `${bg.status} ${bg.text}`)
      ms.bindingGet.push(bg.ms)
      const rg = await platform.api.call('GET', `${values}/r-${i}`)
      check('REST get', rg.text === value, `${rg.status} ${rg.text}`)
      ms.restGet.push(rg.ms)
    }
  } finally {
    await edge.close()
  }
  ctx.log(`control plane: KV ${ops} × 4 operations`)
  const row = (figure: string, binding: number[], rest: number[]): Figure => {
    const b = latencySummary(binding)
    const r = latencySummary(rest)
    return {
      figure,
      measured: `binding ${num(b.p50)} / ${num(b.p99)} ms`,
      baseline: `REST ${num(r.p50)} / ${num(r.p99)} ms`,
      ratio: `${num(b.p50 / r.p50, 2)}×`,
      target: '',
      met: undefined,
      data: { binding, rest },
    }
  }
  return {
    figures: [row('KV get p50 / p99', ms.bindingGet, ms.restGet), row('KV put p50 / p99', ms.bindingPut, ms.restPut)],
    notes: [
      `KV: ${ops} interleaved rounds of put/get through a user Worker's binding (edge → dispatch → Worker → env.KV → control plane) ` +
        'and through the REST API, one request at a time, timed by the client. ' +
        (failures.length ? `Failures: ${failures.join('; ')}` : 'Every value read back as written.'),
    ],
  }
}
