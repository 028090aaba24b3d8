import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { defaultHost, edge } from '../helpers/edge.js'
import { eventually } from '../helpers/eventually.js'
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js'
import { createWrangler, describeRun, succeeded, type Wrangler } from '../helpers/wrangler.js'

/** The platform's dispatch Worker: `/<name>/...` goes to that user Worker of the namespace. */
const DISPATCHER = `
export default {
  async fetch(request, env) {
    const name = new URL(request.url).pathname.split('/')[1]
    try {
      return await env.dispatcher.get(name).fetch(request)
    } catch (e) {
      return new Response('dispatch failed: ' + e.message, { status: 502 })
    }
  },
}
`

/** A user Worker exporting a Durable Object class (named `className`) and routing to one object. */
const counterSource = (className: string) => `
import { DurableObject } from 'cloudflare:workers'
export class ${className} extends DurableObject {
  async fetch(request) {
    const op = new URL(request.url).pathname.split('/')[3]
    if (op === 'inc') {
      const n = ((await this.ctx.storage.get('n')) ?? 0) + 1
      await this.ctx.storage.put('n', n)
      return new Response(String(n))
    }
    if (op === 'get') return new Response(String((await this.ctx.storage.get('n')) ?? 0))
    if (op === 'sql') {
      this.ctx.storage.sql.exec('CREATE TABLE IF NOT EXISTS hits (at INTEGER)')
      this.ctx.storage.sql.exec('INSERT INTO hits VALUES (?)', 1)
      return Response.json(this.ctx.storage.sql.exec('SELECT count(*) AS n FROM hits').one())
    }
    if (op === 'alarm') {
      await this.ctx.storage.setAlarm(Date.now() + 50)
      return new Response(String((await this.ctx.storage.getAlarm()) !== null))
    }
    if (op === 'alarmed') return new Response(String((await this.ctx.storage.get('alarmed')) ?? 'no'))
    if (op === 'id') return new Response(this.ctx.id.toString())
    return new Response('unknown op', { status: 404 })
  }
  async alarm(info) {
    await this.ctx.storage.put('alarmed', 'yes retry=' + info.retryCount)
  }
  add(k) {
    return this.ctx.blockConcurrencyWhile(async () => {
      const n = ((await this.ctx.storage.get('n')) ?? 0) + k
      await this.ctx.storage.put('n', n)
      return n
    })
  }
}
export default {
  async fetch(request, env) {
    const [, , name, op] = new URL(request.url).pathname.split('/')
    if (op === 'rpc') return new Response(String(await env.COUNTER.getByName(name).add(5)))
    if (op === 'same') return new Response(String(env.COUNTER.idFromName(name).toString() === env.COUNTER.idFromString(env.COUNTER.idFromName(name).toString()).toString()))
    return env.COUNTER.get(env.COUNTER.idFromName(name)).fetch(request)
  },
}
`

const toml = (migrations: string, className: string) => `
name = "counter"
main = "src/index.js"
compatibility_date = "2025-06-01"

[[durable_objects.bindings]]
name = "COUNTER"
class_name = "${className}"
${migrations}
`

const V1 = '[[migrations]]\ntag = "v1"\nnew_sqlite_classes = ["Counter"]\n'
const V2 = `${V1}\n[[migrations]]\ntag = "v2"\nrenamed_classes = [{ from = "Counter", to = "Tally" }]\n`

describe('Durable Objects in user Workers, deployed with wrangler --dispatch-namespace', () => {
  let t: TestPlatform
  let dispatcher: Wrangler
  let user: Wrangler
  let host: string
  const ns = () => `/accounts/${t.accountId}/workers/dispatch/namespaces/production/scripts`

  before(async () => {
    t = await startTestPlatform()
    dispatcher = createWrangler(t)
    user = createWrangler(t)
    host = await defaultHost(t, 'dispatcher')
    dispatcher.write({
      'wrangler.toml': `name = "dispatcher"\nmain = "src/index.js"\ncompatibility_date = "2025-06-01"\nworkers_dev = true\n\n[[dispatch_namespaces]]\nbinding = "dispatcher"\nnamespace = "production"\n`,
      'src/index.js': DISPATCHER,
    })
    succeeded(await dispatcher.run(['deploy']))
    user.write({ 'wrangler.toml': toml(V1, 'Counter'), 'src/index.js': counterSource('Counter') })
  })
  after(async () => {
    for (const w of [dispatcher, user]) w?.close()
    await t?.close()
  })

  it('deploys a class with its migration, and the script answers its migration_tag', async () => {
    const r = succeeded(await user.run(['deploy', '--dispatch-namespace', 'production']))
    assert.match(r.stdout, /env\.COUNTER \(Counter\)\s+Durable Object/, describeRun(r))
    const script = (await t.json(`${ns()}/counter`)).body.result.script
    assert.equal(script.migration_tag, 'v1')
    const binding = (await t.json(`${ns()}/counter/bindings`)).body.result.find((b: { name: string }) => b.name === 'COUNTER')
    assert.equal(binding.class_name, 'Counter')
    assert.match(binding.namespace_id, /^[0-9a-f]{32}$/)
  })

  it('20 concurrent increments of one object end at exactly 20', async () => {
    const results = await Promise.all(Array.from({ length: 20 }, () => edge(t, host, '/counter/room/inc')))
    for (const r of results) assert.equal(r.status, 200, r.text)
    assert.deepEqual(results.map((r) => Number(r.text)).sort((a, b) => a - b), Array.from({ length: 20 }, (_, i) => i + 1))
    assert.equal((await edge(t, host, '/counter/room/get')).text, '20')
    // Another name is another object, with storage of its own.
    assert.equal((await edge(t, host, '/counter/other/get')).text, '0')
  })

  it('ids: idFromName is stable and round-trips through idFromString; ctx.id is the object id', async () => {
    assert.equal((await edge(t, host, '/counter/room/same')).text, 'true')
    const id = (await edge(t, host, '/counter/room/id')).text
    assert.match(id, /^[0-9a-f]{64}$/)
    assert.equal((await edge(t, host, '/counter/room/id')).text, id)
  })

  it('RPC to a stub, SQL storage, and an alarm that fires', async () => {
    assert.equal((await edge(t, host, '/counter/rpc-room/rpc')).text, '5')
    assert.equal((await edge(t, host, '/counter/rpc-room/rpc')).text, '10')
    assert.deepEqual(JSON.parse((await edge(t, host, '/counter/room/sql')).text), { n: 1 })
    assert.deepEqual(JSON.parse((await edge(t, host, '/counter/room/sql')).text), { n: 2 })
    assert.equal((await edge(t, host, '/counter/alarm-room/alarm')).text, 'true')
    const fired = await eventually(async () => (await edge(t, host, '/counter/alarm-room/alarmed')).text, (v) => v !== 'no')
    assert.equal(fired, 'yes retry=0')
  })

  it('a rename migration keeps the objects and their data', async () => {
    user.write({ 'wrangler.toml': toml(V2, 'Tally'), 'src/index.js': counterSource('Tally') })
    const r = succeeded(await user.run(['deploy', '--dispatch-namespace', 'production']))
    assert.match(r.stdout, /env\.COUNTER \(Tally\)\s+Durable Object/, describeRun(r))
    assert.equal((await t.json(`${ns()}/counter`)).body.result.script.migration_tag, 'v2')
    assert.equal((await edge(t, host, '/counter/room/get')).text, '20')
    assert.equal((await edge(t, host, '/counter/room/inc')).text, '21')
  })

  it('migrations that do not apply and a binding to a class nobody implements are refused and change nothing', async () => {
    const before = (await t.json(`${ns()}/counter`)).body.result.script
    const upload = async (metadata: Record<string, unknown>) => {
      const form = new FormData()
      form.set('metadata', JSON.stringify({ main_module: 'index.js', compatibility_date: '2025-06-01', ...metadata }))
      form.set('index.js', new Blob([counterSource('Tally')], { type: 'application/javascript+module' }), 'index.js')
      return t.json(`${ns()}/counter`, { method: 'PUT', body: form })
    }
    const tally = { type: 'durable_object_namespace', name: 'COUNTER', class_name: 'Tally' }
    const stale = await upload({ bindings: [tally], migrations: { old_tag: 'v1', new_tag: 'v3', steps: [{ new_classes: ['Other'] }] } })
    assert.equal(stale.status, 400)
    assert.equal(stale.body.errors[0].code, 10079)
    assert.match(stale.body.errors[0].message, /Migration tag precondition failed; current tag is v2/)
    const exists = await upload({ bindings: [tally], migrations: { old_tag: 'v2', new_tag: 'v3', steps: [{ new_classes: ['Tally'] }] } })
    assert.equal(exists.status, 400)
    assert.equal(exists.body.errors[0].code, 10074)
    const missing = await upload({ bindings: [{ type: 'durable_object_namespace', name: 'COUNTER', class_name: 'Nope' }] })
    assert.equal(missing.status, 400)
    assert.equal(missing.body.errors[0].code, 10061)
    const after = (await t.json(`${ns()}/counter`)).body.result.script
    assert.equal(after.migration_tag, 'v2')
    assert.equal(after.etag, before.etag)
    assert.equal((await edge(t, host, '/counter/room/get')).text, '21')
  })

  it('objects keep their storage across a platform restart', async () => {
    await t.platform.stop()
    const dataDir = t.dataDir
    t = await startTestPlatform({ dataDir })
    assert.equal((await edge(t, host, '/counter/room/get')).text, '21')
    assert.equal((await edge(t, host, '/counter/rpc-room/rpc')).text, '15')
  })
})
