import Database from 'better-sqlite3'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { HttpProbe } from '../lib/http-probe.js'
import { startBenchPlatform } from '../lib/platform.js'
import { num } from '../lib/report.js'
import { latencySummary } from '../lib/stats.js'
import { D1_WORKER } from '../lib/workers.js'
import type { Scenario } from './scenario.js'

/**
 * A D1 point read through a user Worker's binding (edge → dispatch Worker → user Worker → env.DB
 * → control plane → engine process → SQLite) next to the same SELECT on the same file with
 * better-sqlite3 in this process: what the platform adds to SQLite's own cost.
 */
export const d1Scenario: Scenario = {
  id: 'd1',
  title: '10. D1 point reads',
  async run(ctx) {
    const rounds = ctx.quick ? 300 : 2000
    const platform = await startBenchPlatform()
    try {
      const { accountId } = platform.platform.credentials
      const created = await platform.api.json('POST', `/accounts/${accountId}/d1/database`, { name: 'bench' })
      const id = (created.body.result as { uuid: string }).uuid
      const query = (sql: string) => platform.api.json('POST', `/accounts/${accountId}/d1/database/${id}/query`, { sql })
      await query('CREATE TABLE items (id INTEGER PRIMARY KEY, body TEXT NOT NULL)')
      await query("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10000) INSERT INTO items SELECT i, 'item-' || i FROM n")
      await platform.uploadUserWorker('d1', D1_WORKER, { bindings: [{ type: 'd1', name: 'DB', id }] })
      const local = new Database(join(platform.dataDir, 'd1', `${id}.sqlite`), { readonly: true, fileMustExist: true })
      const read = local.prepare('SELECT body FROM items WHERE id = ?')
      const edge = new HttpProbe(platform.edgeOrigin, platform.dispatchHost)
      const binding: number[] = []
      const file: number[] = []
      let wrong = 0
      try {
        await edge.get('/d1?id=1')
        for (let i = 0; i < rounds; i++) {
          const key = 1 + ((i * 7919) % 10000)
          const res = await edge.get(`/d1?id=${key}`)
          binding.push(res.ms)
          if (res.text !== `item-${key}`) wrong++
          const started = performance.now()
          const row = read.get(key) as { body: string } | undefined
          file.push(performance.now() - started)
          if (row?.body !== `item-${key}`) wrong++
        }
      } finally {
        await edge.close()
        local.close()
      }
      const b = latencySummary(binding)
      const f = latencySummary(file)
      ctx.log('d1 done')
      return {
        figures: [
          {
            figure: 'D1 point read p50 / p99',
            measured: `binding ${num(b.p50)} / ${num(b.p99)} ms`,
            baseline: `local file ${num(f.p50, 3)} / ${num(f.p99, 3)} ms`,
            ratio: `${num(b.p50 / f.p50, 0)}×`,
            target: '',
            met: undefined,
            data: { binding, file },
          },
        ],
        notes: [
          `D1: ${rounds} interleaved point reads of a 10,000-row table, one request at a time, through a user Worker’s binding ` +
            '(timed by the client, HTTP included) and with better-sqlite3 on the same file in the bench process. ' +
            (wrong ? `${wrong} reads answered the wrong row.` : 'Every read answered its row.'),
        ],
      }
    } finally {
      await platform.stop()
    }
  },
}
