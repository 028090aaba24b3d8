import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { accountScriptPath, createNamespace, defaultHost, deployDispatcher, edge, namespaceScriptPath, putScript } from '../helpers/edge.js'
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js'

// Service bindings as on Cloudflare: fetch() under every date; RPC to the target's default
// WorkerEntrypoint or a named `entrypoint` when the caller's compatibility date is 2024-04-03 or
// later, or it has the `rpc` flag; the binding's `props` arrive as the target's `this.ctx.props`.
const CALC = `import { WorkerEntrypoint } from 'cloudflare:workers'
export default class Calc extends WorkerEntrypoint {
  async fetch(request) { return Response.json({ path: new URL(request.url).pathname, props: this.ctx.props ?? null }) }
  add(a, b) { return a + b }
  props() { return this.ctx.props ?? null }
  async greeting() { return await this.env.GREETING }
}
export class Admin extends WorkerEntrypoint {
  async fetch() { return new Response('admin fetch for ' + this.ctx.props.tenant) }
  whoami() { return 'admin of ' + this.ctx.props.tenant }
}`

/** Runs `?op=` against its bindings and reports the result or the error message. */
const CALLER = `export default {
  async fetch(request, env) {
    const op = new URL(request.url).searchParams.get('op')
    const run = {
      add: () => env.CALC.add(1, 2),
      props: () => env.CALC.props(),
      greeting: () => env.CALC.greeting(),
      fetch: async () => (await env.CALC.fetch('http://calc/some/path')).json(),
      adminFetch: async () => (await env.ADMIN.fetch('http://admin/')).text(),
      whoami: () => env.ADMIN.whoami(),
      rpcType: () => typeof env.CALC.add,
      missing: () => env.NOWHERE.add(1, 2),
    }[op]
    try { return Response.json({ ok: true, value: await run() }) }
    catch (e) { return Response.json({ ok: false, error: String(e.message) }) }
  },
}`

describe('service bindings: fetch, RPC, named entrypoints and props', () => {
  let t: TestPlatform
  const today = new Date().toISOString().slice(0, 10)
  const callerBindings = [
    { type: 'service', name: 'CALC', service: 'calc' },
    { type: 'service', name: 'ADMIN', service: 'calc', entrypoint: 'Admin', props: { tenant: 'acme' } },
    { type: 'service', name: 'NOWHERE', service: 'not-in-this-account' },
  ]

  before(async () => {
    t = await startTestPlatform()
    const calc = await putScript(t, accountScriptPath(t, 'calc'), CALC, {
      compatibility_date: '2024-09-23',
      bindings: [{ type: 'plain_text', name: 'GREETING', text: 'hello from calc' }],
    })
    assert.equal(calc.status, 200, JSON.stringify(calc.body))
  })
  after(() => t.close())

  async function caller(name: string, metadata: Record<string, unknown>): Promise<(op: string) => Promise<{ ok: boolean; value?: unknown; error?: string }>> {
    const up = await putScript(t, accountScriptPath(t, name), CALLER, { bindings: callerBindings, ...metadata })
    assert.equal(up.status, 200, JSON.stringify(up.body))
    const host = await defaultHost(t, name)
    return async (op) => JSON.parse((await edge(t, host, `/?op=${op}`)).text)
  }

  it("calls the target's methods over RPC under today's date, with the binding's entrypoint and props", async () => {
    const call = await caller('caller-today', { compatibility_date: today })
    assert.deepEqual(await call('add'), { ok: true, value: 3 })
    assert.deepEqual(await call('greeting'), { ok: true, value: 'hello from calc' })
    assert.deepEqual(await call('whoami'), { ok: true, value: 'admin of acme' })
    assert.deepEqual(await call('adminFetch'), { ok: true, value: 'admin fetch for acme' })
    // A binding without props gives the target an empty ctx.props.
    assert.deepEqual(await call('props'), { ok: true, value: {} })
    assert.deepEqual(await call('fetch'), { ok: true, value: { path: '/some/path', props: {} } })
    assert.deepEqual(await call('rpcType'), { ok: true, value: 'function' })
  })

  it('has no RPC before 2024-04-03, as on Cloudflare, but fetch() and props work', async () => {
    const call = await caller('caller-old', { compatibility_date: '2024-04-02' })
    assert.deepEqual(await call('rpcType'), { ok: true, value: 'undefined' })
    assert.equal((await call('add')).ok, false)
    assert.deepEqual(await call('fetch'), { ok: true, value: { path: '/some/path', props: {} } })
    assert.deepEqual(await call('adminFetch'), { ok: true, value: 'admin fetch for acme' })
  })

  it('has RPC under an old date with the rpc flag', async () => {
    const call = await caller('caller-flag', { compatibility_date: '2023-01-01', compatibility_flags: ['rpc'] })
    assert.deepEqual(await call('add'), { ok: true, value: 3 })
    assert.deepEqual(await call('whoami'), { ok: true, value: 'admin of acme' })
  })

  it("never reaches another account's script", async () => {
    const other = await t.otherAccount()
    const elsewhere = await putScript(t, accountScriptPath({ ...t, accountId: other.accountId } as TestPlatform, 'not-in-this-account'), CALC, {}, [], other.token)
    assert.equal(elsewhere.status, 200, JSON.stringify(elsewhere.body))
    const call = await caller('caller-isolated', { compatibility_date: today })
    const missing = await call('missing')
    assert.equal(missing.ok, false)
    assert.match(missing.error!, /Worker not found: not-in-this-account/)
  })

  it('works from a user Worker of a dispatch namespace, bound to an account script', async () => {
    await createNamespace(t, 'tenants')
    const host = await deployDispatcher(t, 'tenants')
    const up = await putScript(t, namespaceScriptPath(t, 'tenants', 'customer'), CALLER, { bindings: callerBindings, compatibility_date: today })
    assert.equal(up.status, 200, JSON.stringify(up.body))
    assert.deepEqual(JSON.parse((await edge(t, host, '/customer?op=add')).text), { ok: true, value: 3 })
    assert.deepEqual(JSON.parse((await edge(t, host, '/customer?op=whoami')).text), { ok: true, value: 'admin of acme' })
  })
})
