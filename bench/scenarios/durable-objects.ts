import { HttpProbe } from '../lib/http-probe.js'
import { startBenchPlatform } from '../lib/platform.js'
import { num, type Figure } from '../lib/report.js'
import { latencySummary } from '../lib/stats.js'
import type { Scenario } from './scenario.js'

/** A counter object, and the same Worker answering without it (the nearest baseline). */
const COUNTER_WORKER = `import { DurableObject } from 'cloudflare:workers'
export class Counter extends DurableObject {
  async fetch() {
    const n = ((await this.ctx.storage.get('n')) ?? 0) + 1
    await this.ctx.storage.put('n', n)
    return new Response(String(n))
  }
}
export default {
  fetch(request, env) {
    if (new URL(request.url).pathname.endsWith('/plain')) return new Response('plain')
    return env.COUNTER.getByName('bench').fetch(request)
  },
}
`

/**
 * One Durable Object round trip (edge → dispatch Worker → user Worker → the objects process →
 * the object's storage write → back) next to the same user Worker answering by itself, interleaved
 * one request at a time. The difference is what reaching an object and writing its storage costs.
 */
export const durableObjectsScenario: Scenario = {
  id: 'durable-objects',
  title: 'Durable Object round trip',
  async run(ctx) {
    const platform = await startBenchPlatform()
    try {
      await platform.uploadUserWorker('counter', COUNTER_WORKER, {
        bindings: [{ type: 'durable_object_namespace', name: 'COUNTER', class_name: 'Counter' }],
        migrations: { new_tag: 'v1', new_sqlite_classes: ['Counter'] },
      })
      const edge = new HttpProbe(platform.edgeOrigin, platform.dispatchHost)
      const rounds = ctx.quick ? 200 : 1000
      const object: number[] = []
      const plain: number[] = []
      let expected = 0
      let wrong = 0
      try {
        await edge.get('/counter/plain')
        expected = Number((await edge.get('/counter/inc')).text)
        for (let i = 0; i < rounds; i++) {
          const o = await edge.get('/counter/inc')
          object.push(o.ms)
          if (Number(o.text) !== ++expected) wrong++
          plain.push((await edge.get('/counter/plain')).ms)
        }
      } finally {
        await edge.close()
      }
      ctx.log(`durable objects: ${rounds} rounds`)
      const o = latencySummary(object)
      const p = latencySummary(plain)
      const figure: Figure = {
        figure: 'DO round trip p50 / p99',
        measured: `object ${num(o.p50)} / ${num(o.p99)} ms`,
        baseline: `same Worker, no object ${num(p.p50)} / ${num(p.p99)} ms`,
        ratio: `${num(o.p50 / p.p50, 2)}×`,
        target: '',
        met: undefined,
        data: { object, plain },
      }
      return {
        figures: [figure],
        notes: [
          `Durable Objects: ${rounds} interleaved requests to one counter object (a storage read and write each) and to the same ` +
            `user Worker answering without it, one at a time. ${wrong === 0 ? 'Every count came back in order.' : `${wrong} counts were out of order.`}`,
        ],
      }
    } finally {
      await platform.stop()
    }
  },
}
