import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { HttpProbe } from '../lib/http-probe.js'
import { startBenchPlatform } from '../lib/platform.js'
import { num, type Figure } from '../lib/report.js'
import { latencySummary } from '../lib/stats.js'
import { R2_WORKER } from '../lib/workers.js'
import type { Scenario } from './scenario.js'

const OBJECT_BYTES = 1024 * 1024

/**
 * R2 reads: a 1 MiB object read whole through a user Worker's binding (edge → dispatch Worker →
 * user Worker → env.B.get() → Node's R2 service → the body file), next to Node reading the same
 * bytes from a local file. Rounds interleave one by one; each is timed by its caller.
 */
export const r2Scenario: Scenario = {
  id: 'r2',
  title: '8. R2 object reads',
  async run(ctx) {
    const rounds = ctx.quick ? 100 : 500
    const platform = await startBenchPlatform()
    const dir = mkdtempSync(join(tmpdir(), 'workerhive-bench-r2-'))
    try {
      const { accountId } = platform.platform.credentials
      const created = await platform.api.json('POST', `/accounts/${accountId}/r2/buckets`, { name: 'bench' })
      if (!created.body.success) throw new Error(`creating the bucket: ${created.text.slice(0, 200)}`)
      const bytes = randomBytes(OBJECT_BYTES)
      const put = await platform.api.call('PUT', `/accounts/${accountId}/r2/buckets/bench/objects/one-mib`, {
        contentType: 'application/octet-stream',
        data: bytes,
      })
      if (!put.body.success) throw new Error(`putting the object: ${put.text.slice(0, 200)}`)
      const file = join(dir, 'one-mib')
      writeFileSync(file, bytes)
      await platform.uploadUserWorker('r2', R2_WORKER, { bindings: [{ type: 'r2_bucket', name: 'B', bucket_name: 'bench' }] })
      const edge = new HttpProbe(platform.edgeOrigin, platform.dispatchHost)
      const binding: number[] = []
      const local: number[] = []
      let failures = 0
      try {
        await edge.get('/r2?key=one-mib')
        for (let i = 0; i < rounds; i++) {
          const res = await edge.get('/r2?key=one-mib')
          binding.push(res.ms)
          if (res.text !== String(OBJECT_BYTES)) failures++
          const started = performance.now()
          const read = await readFile(file)
          local.push(performance.now() - started)
          if (read.byteLength !== OBJECT_BYTES) failures++
        }
      } finally {
        await edge.close()
      }
      ctx.log('r2: done')
      const b = latencySummary(binding)
      const l = latencySummary(local)
      const figure: Figure = {
        figure: 'R2 1 MiB get p50 / p99',
        measured: `binding ${num(b.p50)} / ${num(b.p99)} ms`,
        baseline: `local file ${num(l.p50)} / ${num(l.p99)} ms`,
        ratio: `${num(b.p50 / l.p50, 1)}×`,
        target: '',
        met: undefined,
        data: { binding, local },
      }
      return {
        figures: [figure],
        notes: [
          `R2: ${rounds} interleaved rounds, one request at a time: a 1 MiB object read whole by a user Worker ` +
            '(edge → dispatch Worker → user Worker → env.B.get().arrayBuffer() → Node’s R2 service → the body file) ' +
            'and Node’s readFile() of the same bytes on local disk. ' +
            (failures ? `${failures} reads came back wrong.` : 'Every read returned the whole object.'),
        ],
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
      await platform.stop()
    }
  },
}
