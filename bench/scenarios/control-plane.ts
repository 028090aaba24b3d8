import { performance } from 'node:perf_hooks'
import { startBenchPlatform, type BenchPlatform } from '../lib/platform.js'
import { infoFigure as info, num, type Figure } from '../lib/report.js'
import { cpuMeter, ownCpuSeconds } from '../lib/proc.js'
import { latencySummary } from '../lib/stats.js'
import { helloWorker } from '../lib/workers.js'
import type { Scenario } from './scenario.js'

/** Concurrent upload clients: a few CI pipelines deploying at once. */
const UPLOADERS = 4
/** Every script carries tag `g<i % GROUPS>`: filters then match a tenth of the namespace. */
const GROUPS = 10
const LIST_CALLS = 20
const DELETE_PAGE = 100

interface Budget {
  wanted: number
  uploadMs: number
  deleteMs: number
}

/**
 * The control plane with many scripts in one namespace: upload throughput with a few concurrent
 * clients, list and delete by tag filter per call (KV has its own scenario, kv.ts).
 * Uploads stop at a time budget when the machine cannot do them all within the run.
 */
export const controlPlaneScenario: Scenario = {
  id: 'control-plane',
  title: '4. Control plane at scale',
  async run(ctx) {
    const budget: Budget = ctx.quick
      ? { wanted: 5_000, uploadMs: 25_000, deleteMs: 10_000 }
      : { wanted: 100_000, uploadMs: 180_000, deleteMs: 30_000 }
    const platform = await startBenchPlatform()
    try {
      const uploads = await uploadMany(platform, budget, (n) => ctx.log(`control plane: ${n} uploads`))
      const lists = await listByTags(platform)
      const deletes = await deleteByTags(platform, budget.deleteMs)
      ctx.log(`control plane: ${uploads.count} uploads, ${deletes.deleted} deleted by tag`)
      return {
        figures: figures(budget, uploads, lists, deletes),
        notes: notes(platform, budget, uploads, lists, deletes),
      }
    } finally {
      await platform.stop()
    }
  },
}

const scriptsPath = (p: BenchPlatform): string =>
  `/accounts/${p.platform.credentials.accountId}/workers/dispatch/namespaces/${p.namespace}/scripts`

interface Uploads {
  count: number
  seconds: number
  ms: number[]
  /** Time in each phase of the upload call, in call order, from the platform running in this process. */
  phases: Record<Phase, number[]>
  /** CPU seconds meanwhile: this Node process (API and clients), and every workerd process. */
  cpu: { node: number; workerd: number }
}

type Phase = 'startup check' | 'publish' | 'edge notification'

/**
 * Times the phases of every upload the API runs (the platform runs in this process): wraps the
 * startup checker, the store's publish and the edge notifier on the objects the API calls.
 */
function timePhases(p: BenchPlatform): { phases: Record<Phase, number[]>; stop(): void } {
  const phases: Record<Phase, number[]> = { 'startup check': [], publish: [], 'edge notification': [] }
  const undo: Array<() => void> = []
  const wrap = <T extends object, K extends keyof T>(target: T, method: K, phase: Phase) => {
    const original = target[method] as unknown as (...args: unknown[]) => Promise<unknown>
    const timed = async (...args: unknown[]) => {
      const started = performance.now()
      try {
        return await original.apply(target, args)
      } finally {
        phases[phase].push(performance.now() - started)
      }
    }
    // Put back exactly what was there (an own method, or none: the prototype's).
    const own = Object.getOwnPropertyDescriptor(target, method)
    ;(target as Record<K, unknown>)[method] = timed
    undo.push(() => (own ? Object.defineProperty(target, method, own) : delete (target as Record<K, unknown>)[method]))
  }
  wrap(p.platform.edge.startup, 'run', 'startup check')
  wrap(p.platform.store.scripts, 'publish', 'publish')
  wrap(p.platform.edge.notifier, 'scriptChanged', 'edge notification')
  return { phases, stop: () => undo.reverse().forEach((u) => u()) }
}

async function uploadMany(p: BenchPlatform, budget: Budget, progress: (n: number) => void): Promise<Uploads> {
  const ms: number[] = []
  let next = 0
  const timing = timePhases(p)
  const workerdCpu = cpuMeter(() => p.workerdPids())
  const nodeCpu = ownCpuSeconds()
  const started = performance.now()
  const deadline = started + budget.uploadMs
  const uploader = async () => {
    while (next < budget.wanted && performance.now() < deadline) {
      const i = next++
      const tags = [`g${i % GROUPS}`, `b${Math.floor(i / 1000)}`]
      ms[i] = (await p.uploadUserWorker(`s-${i}`, helloWorker(`s-${i}`), { tags })).ms
      if (i % 5000 === 4999) progress(i + 1)
    }
  }
  try {
    await Promise.all(Array.from({ length: UPLOADERS }, uploader))
  } finally {
    timing.stop()
  }
  const cpu = { node: ownCpuSeconds() - nodeCpu, workerd: workerdCpu.stop() }
  return { count: next, seconds: (performance.now() - started) / 1000, ms: ms.slice(0, next), phases: timing.phases, cpu }
}

interface Lists {
  ms: number[]
  items: number[]
}

/** `?tags=gN:yes` and `?tags=gN:no` in turn: a tenth and nine tenths of the namespace match. */
async function listByTags(p: BenchPlatform): Promise<Lists> {
  const out: Lists = { ms: [], items: [] }
  for (let j = 0; j < LIST_CALLS; j++) {
    const filter = `g${j % GROUPS}:${j % 2 === 0 ? 'yes' : 'no'}`
    const res = await p.api.call('GET', `${scriptsPath(p)}?tags=${filter}&limit=1000`)
    if (!res.body.success) throw new Error(`list failed: ${res.text.slice(0, 200)}`)
    out.ms.push(res.ms)
    out.items.push((res.body.result as unknown[]).length)
  }
  return out
}

interface Deletes {
  ms: number[]
  deleted: number
  seconds: number
  cut: boolean
}

/** Deletes two tag groups, DELETE_PAGE scripts per call, until has_more is false or time is up. */
async function deleteByTags(p: BenchPlatform, budgetMs: number): Promise<Deletes> {
  const out: Deletes = { ms: [], deleted: 0, seconds: 0, cut: false }
  const started = performance.now()
  const timeLeft = () => performance.now() - started < budgetMs
  for (const group of [GROUPS - 1, GROUPS - 2]) {
    let more = true
    while (more && timeLeft()) {
      const res = await p.api.call('DELETE', `${scriptsPath(p)}?tags=g${group}:yes&limit=${DELETE_PAGE}`)
      if (!res.body.success) throw new Error(`delete failed: ${res.text.slice(0, 200)}`)
      const result = res.body.result as { deleted_count: number; has_more: boolean }
      out.ms.push(res.ms)
      out.deleted += result.deleted_count
      more = result.has_more
    }
    if (more) out.cut = true
  }
  out.seconds = (performance.now() - started) / 1000
  return out
}

function figures(budget: Budget, uploads: Uploads, lists: Lists, deletes: Deletes): Figure[] {
  const p50p99 = (ms: number[]) => `${num(latencySummary(ms).p50)} / ${num(latencySummary(ms).p99)} ms`
  const p50 = (ms: number[]) => num(latencySummary(ms).p50)
  return [
    info(
      `scripts uploaded into one namespace (asked ${budget.wanted.toLocaleString('en-US')})`,
      uploads.count.toLocaleString('en-US'),
    ),
    info(`upload throughput, ${UPLOADERS} concurrent clients`, `${num(uploads.count / uploads.seconds)} uploads/s`, {
      uploaded: uploads.count,
      seconds: uploads.seconds,
    }),
    info('upload call p50 / p99', p50p99(uploads.ms)),
    info(
      'CPU per upload: Node (API and the bench clients) / workerd (all processes)',
      `${num((uploads.cpu.node * 1000) / uploads.count)} / ${num((uploads.cpu.workerd * 1000) / uploads.count)} ms`,
      { ...uploads.cpu, uploads: uploads.count },
    ),
    info(
      'upload call p50, first 1,000 vs last 1,000',
      `${p50(uploads.ms.slice(0, 1000))} → ${p50(uploads.ms.slice(-1000))} ms`,
    ),
    ...Object.entries(uploads.phases).map(([phase, times]) =>
      info(
        `upload phase p50: ${phase}, first 1,000 vs last 1,000 (${times.length.toLocaleString('en-US')} calls)`,
        `${p50(times.slice(0, 1000))} → ${p50(times.slice(-1000))} ms`,
      ),
    ),
    info('list by tag filter (one page of ≤ 1,000), p50 / p99', p50p99(lists.ms), { ...lists }),
    info(
      `delete by tag filter (${DELETE_PAGE} scripts per call), p50 / p99`,
      `${p50p99(deletes.ms)}; ${num(deletes.deleted / deletes.seconds)} scripts/s`,
      { ms: deletes.ms, deleted: deletes.deleted },
    ),
  ]
}

function notes(p: BenchPlatform, budget: Budget, uploads: Uploads, lists: Lists, deletes: Deletes): string[] {
  const via = p.uploadPaths.namespaceScripts === 'api' ? 'the v4 API' : 'store.publish (upload route absent)'
  const n = (x: number) => x.toLocaleString('en-US')
  return [
    `Uploads: ${UPLOADERS} clients in the bench process, which also runs the API (same Node thread); each a ` +
      `multipart upload of a distinct hello world with 2 tags, via ${via}.` +
      (uploads.count < budget.wanted
        ? ` Stopped at ${n(uploads.count)} of ${n(budget.wanted)} by the ${budget.uploadMs / 1000} s budget: ` +
          'the full count does not fit the run’s time on this machine at this rate.'
        : ''),
    `List: ${LIST_CALLS} calls alternating \`?tags=gN:yes\` (${n(Math.round(uploads.count / GROUPS))} matches) and ` +
      `\`?tags=gN:no\`, limit=1000; items per page ${Math.min(...lists.items)}–${Math.max(...lists.items)}. ` +
      `Delete: \`DELETE …/scripts?tags=gN:yes&limit=${DELETE_PAGE}\` until has_more is false, for 2 groups ` +
      `(${n(deletes.deleted)} scripts, ${deletes.ms.length} calls)` +
      (deletes.cut ? `, stopped by its ${budget.deleteMs / 1000} s budget.` : '.'),
  ]
}
