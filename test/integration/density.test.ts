import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { createNamespace, deployDispatcher, edge } from '../helpers/edge.js'
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js'

const SCRIPTS = 5000

/** Runs `task` over 0..count-1 with `width` in flight at once. */
async function pool(count: number, width: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < count) await task(next++)
    }),
  )
}

describe('density: thousands of distinct user Workers', () => {
  let t: TestPlatform
  let host: string

  before(async () => {
    // A low isolate budget makes every process recycle several times during the run.
    t = await startTestPlatform({ maxIsolatesPerProcess: 800 })
    await createNamespace(t, 'many')
    host = await deployDispatcher(t, 'many')
  })
  after(() => t.close())

  it(`loads ${SCRIPTS} distinct scripts in turn without a crash, recycling processes as they fill`, async () => {
    // Published straight into the store: what is tested is loading, and an API upload of each would
    // add its startup check in workerd (covered by the upload tests) for minutes of CI time.
    const ns = await t.platform.store.namespaces.get(t.accountId, 'many')
    assert.ok(ns)
    await pool(SCRIPTS, 8, async (i) => {
      await t.platform.store.scripts.publish({
        scope: { accountId: t.accountId, namespaceId: ns.id },
        name: `w${i}`,
        version: {
          format: 'modules',
          mainModule: 'index.js',
          compatibilityDate: '2026-01-01',
          compatibilityFlags: [],
          modules: [{ name: 'index.js', type: 'esm', content: new TextEncoder().encode(`export default { fetch() { return new Response('worker ${i}') } }`) }],
          bindings: [],
        },
      })
    })
    let retried = 0
    await pool(SCRIPTS, 4, async (i) => {
      // A keep-alive connection to a process that is draining for a recycle can close under a
      // request; HTTP clients retry idempotent requests, each pooled connection at most once.
      for (let attempt = 0; ; attempt++) {
        try {
          const res = await edge(t, host, `/w${i}`)
          assert.equal(res.text, `worker ${i}`)
          return
        } catch (err) {
          if (err instanceof assert.AssertionError || attempt === 4) throw err
          retried++
        }
      }
    })
    const watchdog = t.platform.edge.watchdog
    assert.equal(watchdog.kills, 0, 'no process was stuck, crashed or over its memory budget')
    assert.deepEqual(watchdog.containment.entries(), [])
    assert.ok(watchdog.recycles >= 2, `recycles: ${watchdog.recycles}`)
    // Each client (4) can race each recycle twice: a request on a pooled connection the draining
    // process closes, and its retry on a fresh connection the process accepted before it stopped
    // listening (seen in CI: 25 retries for 6 recycles, when density ran beside start-kill).
    assert.ok(retried <= watchdog.recycles * 4 * 2, `retried ${retried} requests for ${watchdog.recycles} recycles`)
    assert.ok(t.platform.edge.processes().every((p) => p.state === 'ready' || p.state === 'starting'))
  })
})
