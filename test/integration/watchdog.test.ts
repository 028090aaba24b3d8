import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { after, before, describe, it } from 'node:test'
import { allReady, attempt } from '../helpers/containment.js'
import { createNamespace, deployDispatcher, edge, namespaceScriptPath, putScript } from '../helpers/edge.js'
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js'

/** workerd itself: in a sandbox, the pid the supervisor holds is its launcher. */
function workerdOf(pid: number): number | undefined {
  const comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim()
  if (comm === 'workerd') return pid
  for (const child of readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean)) {
    const found = workerdOf(Number(child))
    if (found !== undefined) return found
  }
  return undefined
}

describe('watchdog: busy is not stuck, stopped is replaced', () => {
  let t: TestPlatform
  let host: string

  before(async () => {
    t = await startTestPlatform()
    await createNamespace(t, 'tenants')
    host = await deployDispatcher(t, 'tenants')
    for (let i = 0; i < 3; i++) {
      await putScript(t, namespaceScriptPath(t, 'tenants', `hello-${i}`), `export default { fetch() { return new Response('hello ${i}') } }`)
    }
  })
  after(() => t.close())

  it('kills nothing under many concurrent hello-world requests', async () => {
    let next = 0
    const failures: string[] = []
    const client = async () => {
      while (next < 3000) {
        const i = next++ % 3
        const res = await attempt(t, host, `/hello-${i}`)
        if (res.text !== `hello ${i}`) failures.push(`${res.status} ${res.text.slice(0, 80)}`)
      }
    }
    await Promise.all(Array.from({ length: 50 }, client))
    assert.deepEqual(failures, [])
    const status = (await t.json('/workerhive/status')).body.result
    assert.equal(status.watchdog.kills, 0)
  })

  it('replaces an edge process that makes no progress at all (SIGSTOP), and serves again', async () => {
    await allReady(t)
    const before = t.platform.edge.processes().find((p) => p.role === 'edge')!
    const workerd = workerdOf(before.pid!)
    assert.ok(workerd !== undefined, 'workerd found under the supervised pid')
    process.kill(workerd, 'SIGSTOP')
    try {
      for (let i = 0; i < 400 && t.platform.edge.processes()[before.index]!.pid === before.pid; i++) {
        await new Promise((r) => setTimeout(r, 50))
      }
      assert.notEqual(t.platform.edge.processes()[before.index]!.pid, before.pid, 'the stopped process was replaced')
    } finally {
      try {
        process.kill(workerd, 'SIGCONT') // gone already when it was replaced
      } catch {}
    }
    await allReady(t)
    for (let i = 0; i < 10; i++) assert.equal((await edge(t, host, '/hello-0')).text, 'hello 0')
    // Nobody ran anything wrong: no tenant is blamed for a stopped process.
    assert.deepEqual(t.platform.edge.watchdog.containment.entries(), [])
  })
})
