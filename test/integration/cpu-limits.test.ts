import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { accountScriptPath, createNamespace, defaultHost, deployDispatcher, edge, namespaceScriptPath, putScript } from '../helpers/edge.js'
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js'

/** A dispatch Worker that passes `?cpu=N` on as `get(name, {}, {limits: {cpuMs: N}})`. */
const CPU_DISPATCHER = `
export default {
  async fetch(request, env) {
    const url = new URL(request.url)
    const name = url.pathname.split('/')[1]
    const cpu = url.searchParams.get('cpu')
    try {
      return await env.dispatcher.get(name, {}, cpu ? { limits: { cpuMs: Number(cpu) } } : {}).fetch(request)
    } catch (e) {
      return new Response('dispatch failed: ' + e.message, { status: 502 })
    }
  },
}
`

/** Burns `ms` of CPU in a loop (workerd's clock runs during execution), then answers. */
const burner = (ms: number): string => `
function spin(ms) { const end = Date.now() + ms; let n = 0; while (Date.now() < end) n++; return n }
export default { fetch() { return new Response('burned ' + spin(${ms})) } }
`

describe('CPU limits (cpuMs) enforced inside the isolate', () => {
  let t: TestPlatform
  let host: string

  before(async () => {
    t = await startTestPlatform()
    await createNamespace(t, 'tenants')
    host = await deployDispatcher(t, 'tenants', CPU_DISPATCHER)
    await putScript(t, namespaceScriptPath(t, 'tenants', 'burner'), burner(150))
    await putScript(t, namespaceScriptPath(t, 'tenants', 'hello'), `export default { fetch() { return new Response('hello') } }`)
    await putScript(
      t,
      namespaceScriptPath(t, 'tenants', 'catcher'),
      `${burner(150).replace('export default', 'const inner =')}
export default { fetch() { try { return inner.fetch() } catch { let n = 0; for (;;) n++ } } }`,
    )
    await putScript(
      t,
      namespaceScriptPath(t, 'tenants', 'instance'),
      `class App { greeting() { return 'from the prototype' } fetch() { return new Response(this.greeting()) } }
export default new App()`,
    )
    await putScript(t, namespaceScriptPath(t, 'tenants', 'limited'), burner(150), { limits: { cpu_ms: 10 } })
  })
  after(() => t.close())

  it('rejects the dispatcher fetch of a Worker past get(…, {limits: {cpuMs}}), with no process killed', async () => {
    const [limited, innocent] = await Promise.all([edge(t, host, '/burner?cpu=10'), edge(t, host, '/hello')])
    assert.equal(limited.status, 502)
    assert.equal(limited.text, 'dispatch failed: Worker exceeded CPU time limit.')
    assert.equal(innocent.text, 'hello')
    assert.equal(t.platform.edge.watchdog.kills, 0)
  })

  it('does not let the Worker catch the error and keep burning', async () => {
    const res = await edge(t, host, '/catcher?cpu=10')
    assert.equal(res.text, 'dispatch failed: Worker exceeded CPU time limit.')
    assert.equal(t.platform.edge.watchdog.kills, 0)
  })

  it("applies the script's own limits.cpu_ms", async () => {
    const res = await edge(t, host, '/limited')
    assert.equal(res.text, 'dispatch failed: Worker exceeded CPU time limit.')
  })

  it('answers 1102 (503) for a Worker the edge invoked that runs past its own limits.cpu_ms', async () => {
    const up = await putScript(t, accountScriptPath(t, 'heavy'), burner(150), { limits: { cpu_ms: 10 } })
    assert.equal(up.status, 200, JSON.stringify(up.body))
    const res = await edge(t, await defaultHost(t, 'heavy'), '/')
    assert.equal(res.status, 503)
    assert.match(res.text, /^error code: 1102/)
    assert.equal(t.platform.edge.watchdog.kills, 0)
  })

  it('keeps a handler object that is a class instance working, metered or not', async () => {
    assert.equal((await edge(t, host, '/instance?cpu=50')).text, 'from the prototype')
    assert.equal((await edge(t, host, '/instance')).text, 'from the prototype')
  })

  it('lets a Worker within its limit finish, and one with no limit run as long as it needs', async () => {
    assert.match((await edge(t, host, '/burner?cpu=2000')).text, /^burned \d+$/)
    assert.match((await edge(t, host, '/burner')).text, /^burned \d+$/)
    assert.equal(t.platform.edge.watchdog.kills, 0)
  })
})
