import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { attempt } from '../helpers/containment.js'
import { accountScriptPath, createNamespace, defaultHost, deployDispatcher, edge, namespaceScriptPath, putScript } from '../helpers/edge.js'
import { createTestNetns, type TestNetns } from '../helpers/netns.js'
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js'
import { MB, streamPost } from '../helpers/stream-body.js'


/** Sends `total` bytes to the edge as a stream, with a Content-Length or chunked. */
const streamBody = (port: number, host: string, path: string, total: number, chunked: boolean) =>
  streamPost({ port, path, headers: { host, 'content-type': 'application/octet-stream' }, total, chunked, fill: 'a' })

describe('edge limits: request bodies', () => {
  let t: TestPlatform
  let host: string

  before(async () => {
    t = await startTestPlatform()
    await createNamespace(t, 'tenants')
    host = await deployDispatcher(t, 'tenants')
    // Reads the body as a stream (so only the edge's cap bounds it) and answers the byte count.
    await putScript(
      t,
      namespaceScriptPath(t, 'tenants', 'reader'),
      `export default { async fetch(request) {
        let n = 0
        const reader = request.body.getReader()
        for (;;) { const { done, value } = await reader.read(); if (done) break; n += value.byteLength }
        return new Response(String(n))
      } }`,
    )
    await putScript(t, namespaceScriptPath(t, 'tenants', 'good'), `export default { fetch() { return new Response('good') } }`)
  })
  after(() => t.close())

  it('answers 413 to a 120 MB body, with or without Content-Length, while a neighbour is served and nobody is blamed', async () => {
    const kills = t.platform.edge.watchdog.kills
    const innocent: string[] = []
    let flooding = true
    const neighbour = (async () => {
      while (flooding) {
        const res = await attempt(t, host, '/good')
        innocent.push(`${res.status} ${res.text.slice(0, 40)}`)
      }
    })()
    const declared = await streamBody(t.platform.edgePort, host, '/reader', 120 * MB, false)
    const chunked = await streamBody(t.platform.edgePort, host, '/reader', 120 * MB, true)
    flooding = false
    await neighbour
    assert.equal(declared.status, 413, declared.text.slice(0, 200))
    assert.match(declared.text, /413 Request Entity Too Large/)
    assert.equal(chunked.status, 413, chunked.text.slice(0, 200))
    assert.ok(innocent.length > 0)
    assert.deepEqual(innocent.filter((r) => r !== '200 good'), [], 'every neighbour request succeeded')
    assert.equal(t.platform.edge.watchdog.kills, kills, 'no workerd process was killed')
    const status = (await t.json('/workerhive/status')).body.result
    assert.equal(status.watchdog.kills, kills)
    assert.deepEqual(status.containment, [], 'nobody is on probation')
  })

  it('passes a body under the cap to the Worker whole, streamed', async () => {
    const res = await streamBody(t.platform.edgePort, host, '/reader', 5 * MB, true)
    assert.equal(res.status, 200)
    assert.equal(res.text, String(5 * MB))
  })
})

describe('edge limits: per-account body cap', () => {
  let t: TestPlatform
  before(async () => {
    t = await startTestPlatform({ maxRequestBodyMb: 1 })
  })
  after(() => t.close())

  it('applies the operator-set cap of an account over the default', async () => {
    await putScript(t, accountScriptPath(t, 'sink'), `export default { async fetch(r) { return new Response(String((await r.arrayBuffer()).byteLength)) } }`)
    const host = await defaultHost(t, 'sink')
    assert.equal((await streamBody(t.platform.edgePort, host, '/', 2 * MB, false)).status, 413, 'the 1 MB default')
    await t.platform.stop()
    // Same data, an account cap of 3 MB.
    t = await startTestPlatform({ maxRequestBodyMb: 1, accountRequestBodyMb: `${t.accountId}=3`, dataDir: t.dataDir })
    const res = await streamBody(t.platform.edgePort, host, '/', 2 * MB, false)
    assert.equal(res.status, 200)
    assert.equal(res.text, String(2 * MB))
  })
})

describe('edge limits: loops and egress', () => {
  let t: TestPlatform
  let ns: TestNetns | string
  let host: string

  before(async () => {
    ns = await createTestNetns()
    if (typeof ns === 'string') return
    // The allow-list opens the namespace's range on the echo server's port only.
    t = await startTestPlatform({ privateAllowList: `${ns.cidr}:${ns.port}` })
    await createNamespace(t, 'tenants')
    host = await deployDispatcher(t, 'tenants')
    const fetcher = `export default { async fetch(request) {
      const target = new URL(request.url).searchParams.get('target')
      try { const r = await fetch(target); return new Response(await r.text(), { status: r.status }) }
      catch (e) { return new Response('refused: ' + e.message, { status: 502 }) }
    } }`
    await putScript(t, accountScriptPath(t, 'backend-caller'), fetcher)
    await putScript(t, namespaceScriptPath(t, 'tenants', 'tenant-caller'), fetcher)
  })
  after(async () => {
    if (typeof ns !== 'string') {
      await t.close()
      ns.close()
    }
  })

  const skipped = (ctx: { skip(message: string): void }): boolean => {
    if (typeof ns === 'string') ctx.skip(ns)
    return typeof ns === 'string'
  }

  it("lets an account script reach an allow-listed private destination, never a user Worker", async (ctx) => {
    if (skipped(ctx)) return
    const n = ns as TestNetns
    const target = encodeURIComponent(`http://${n.innerAddress}:${n.port}/hello`)
    const account = await edge(t, await defaultHost(t, 'backend-caller'), `/?target=${target}`)
    assert.equal(account.status, 200, account.text)
    assert.equal(JSON.parse(account.text).url, '/hello')
    const user = await edge(t, host, `/tenant-caller?target=${target}`)
    assert.equal(user.status, 502)
    assert.match(user.text, /public internet addresses only/)
  })

  it('refuses the allow-listed range on any other port, and the machine’s own addresses', async (ctx) => {
    if (skipped(ctx)) return
    const n = ns as TestNetns
    const other = await edge(t, await defaultHost(t, 'backend-caller'), `/?target=${encodeURIComponent(`http://${n.innerAddress}:${n.port + 1}/`)}`)
    assert.equal(other.status, 502)
    assert.match(other.text, /public internet addresses only/)
    // The host end of the veth pair is an address of this machine: denied to every network, the
    // allow-list included (nothing is sent to it: the config says so, and the fetch fails).
    const configs = readdirSync(join(t.dataDir, 'runtime')).filter((f) => f.endsWith('.capnp'))
    assert.ok(configs.length > 0)
    for (const f of configs) assert.match(readFileSync(join(t.dataDir, 'runtime', f), 'utf8'), new RegExp(`"${n.hostAddress.replace(/\./g, '\\.')}/32"`))
    const own = await edge(t, await defaultHost(t, 'backend-caller'), `/?target=${encodeURIComponent(`http://${n.hostAddress}:${n.port}/`)}`)
    assert.equal(own.status, 502)
  })

  it('refuses a Worker fetching its own hostname on this edge (loopback is denied whatever the allow-list says)', async (ctx) => {
    if (skipped(ctx)) return
    const caller = await defaultHost(t, 'backend-caller')
    const self = await edge(t, caller, `/?target=${encodeURIComponent(`http://${caller}:${t.platform.edgePort}/`)}`)
    assert.equal(self.status, 502)
    assert.match(self.text, /public internet addresses only/)
  })

  it("counts the loop header down on every subrequest and answers 1019 when it reaches zero", async (ctx) => {
    if (skipped(ctx)) return
    const n = ns as TestNetns
    const caller = await defaultHost(t, 'backend-caller')
    const target = `/?target=${encodeURIComponent(`http://${n.innerAddress}:${n.port}/`)}`
    const fresh = JSON.parse((await edge(t, caller, target)).text)
    assert.equal(fresh.headers['cf-ew-via'], '15', 'a request from outside may cause 16 invocations')
    const forged = JSON.parse((await edge(t, caller, target, { headers: { 'cf-ew-via': '9999' } })).text)
    assert.equal(forged.headers['cf-ew-via'], '15', 'a larger count from outside is clamped')
    const late = JSON.parse((await edge(t, caller, target, { headers: { 'cf-ew-via': '1' } })).text)
    assert.equal(late.headers['cf-ew-via'], '0')
    // What a Worker fetching its own hostname sends back in after 16 invocations.
    const looped = await edge(t, caller, target, { headers: { 'cf-ew-via': '0' } })
    assert.equal(looped.status, 500)
    assert.equal(looped.headers['cf-error-code'], '1019')
    assert.match(looped.text, /error code: 1019/)
  })
})
