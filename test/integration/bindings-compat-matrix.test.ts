import assert from 'node:assert/strict'
import { createHmac } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import { accountScriptPath, createNamespace, defaultHost, deployDispatcher, edge, namespaceScriptPath, putScript } from '../helpers/edge.js'
import { jsonBody, startTestPlatform, type TestPlatform } from '../helpers/platform.js'
import { uploadAssets } from '../helpers/assets.js'

// Every binding kind, as Cloudflare presents it, whatever the Worker's compatibility date: the
// oldest date Cloudflare runs (2021-11-02, its default when an upload names none; no behaviour is
// older, workerd's first flag dates from 2021-11-03), no date at all, and today's (also with flags
// that change bindings' surroundings), in both formats.
// Uploads are real multipart requests to the v4 API; requests go through the real edge.

// (module (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))
const ADD_WASM = Buffer.from('0061736d0100000001070160027f7f017f030201000707010361646400000a09010700200020016a0b', 'hex')
const HMAC_KEY = Buffer.from('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f', 'hex')

/** Checks each binding and reports what it saw; shared by both formats. */
const REPORT = `
async function report(env, label) {
  const hex = (buf) => [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, '0')).join('')
  const out = { plain: env.P, secret: env.S, json: env.J.level }
  out.kvGet = await env.KV.get('greeting')
  out.kvJson = await env.KV.get('config', { type: 'json', cacheTtl: 60 })
  out.kvStream = await new Response(await env.KV.get('greeting', 'stream')).text()
  out.kvBytes = (await env.KV.get('greeting', { type: 'arrayBuffer' })).byteLength
  await env.KV.put('bytes-' + label, new Uint8Array([1, 2, 3]))
  out.kvPutBytes = [...new Uint8Array(await env.KV.get('bytes-' + label, 'arrayBuffer'))]
  await env.KV.put('written-' + label, 'by ' + label, { metadata: { label }, expirationTtl: 3600 })
  out.kvMeta = await env.KV.getWithMetadata('written-' + label)
  out.kvMany = Object.fromEntries(await env.KV.get(['greeting', 'absent']))
  out.kvList = (await env.KV.list({ prefix: 'greet' })).keys.map((k) => k.name)
  await env.KV.delete('written-' + label)
  out.kvDeleted = await env.KV.get('written-' + label)
  await env.DB.prepare('INSERT INTO seen (label) VALUES (?)').bind(label).run()
  out.d1 = await env.DB.prepare('SELECT label FROM seen WHERE label = ?').bind(label).first('label')
  const put = await env.R2.put('r2-' + label, 'r2 says ' + label, { customMetadata: { label } })
  const got = await env.R2.get('r2-' + label, { range: { offset: 3 } })
  out.r2 = { etag: put.httpEtag === '"' + put.etag + '"', text: await got.text(), meta: got.customMetadata, listed: (await env.R2.list({ prefix: 'r2-' + label })).objects.length }
  await env.R2.delete('r2-' + label)
  out.r2Deleted = await env.R2.head('r2-' + label)
  out.service = await (await env.SVC.fetch('http://svc/ping')).text()
  out.dispatch = await (await env.DISPATCH.get('hello').fetch('http://tenant/')).text()
  out.asset = await (await env.ASSETS.fetch('http://assets/hello.txt')).text()
  out.version = typeof env.VERSION.id === 'string' && env.VERSION.id.length > 0
  out.key = { type: env.KEY.type, extractable: env.KEY.extractable, algorithm: env.KEY.algorithm.name, usages: env.KEY.usages }
  out.signature = hex(await crypto.subtle.sign('HMAC', env.KEY, new TextEncoder().encode('sign me')))
  const id = env.DO.idFromName('matrix')
  out.durableObject = await (await env.DO.get(env.DO.idFromString(id.toString())).fetch('http://do/hello')).text()
  await env.Q.send({ label })
  await env.Q.sendBatch([{ body: 'text ' + label, contentType: 'text' }, { body: new Uint8Array([1]), contentType: 'bytes' }], { delaySeconds: 0 })
  out.queueSent = true
  return out
}`

const MODULE_WORKER = `${REPORT}
export default {
  async fetch(request, env) {
    try { return Response.json(await report(env, new URL(request.url).searchParams.get('label'))) }
    catch (e) { return new Response(String(e.stack ?? e), { status: 500 }) }
  },
}`

const SERVICE_WORKER = `${REPORT}
addEventListener('fetch', (event) => event.respondWith(handle(event.request)))
async function handle(request) {
  try { return await run(request) } catch (e) { return new Response(String(e.stack ?? e), { status: 500 }) }
}
async function run(request) {
  const env = { P, S, J, KV, DB, R2, SVC, DISPATCH, VERSION, KEY, ASSETS, DO, Q }
  const out = await report(env, new URL(request.url).searchParams.get('label'))
  out.wasm = (await WebAssembly.instantiate(WASM)).exports.add(40, 2)
  out.text = TEXT
  out.data = [...new Uint8Array(DATA)]
  return new Response(JSON.stringify(out), { headers: { 'content-type': 'application/json' } })
}`

describe('bindings under any compatibility date, in both formats', () => {
  let t: TestPlatform
  let kvId: string
  let d1Id: string
  const today = new Date().toISOString().slice(0, 10)

  before(async () => {
    t = await startTestPlatform()
    const kv = await t.json(`/accounts/${t.accountId}/storage/kv/namespaces`, { method: 'POST', ...jsonBody({ title: 'matrix' }) })
    kvId = kv.body.result.id
    await t.api(`/accounts/${t.accountId}/storage/kv/namespaces/${kvId}/values/greeting`, { method: 'PUT', body: 'hello from KV' })
    await t.api(`/accounts/${t.accountId}/storage/kv/namespaces/${kvId}/values/config`, { method: 'PUT', body: '{"plan":"pro"}' })
    const d1 = await t.json(`/accounts/${t.accountId}/d1/database`, { method: 'POST', ...jsonBody({ name: 'matrix' }) })
    d1Id = d1.body.result.uuid
    await t.json(`/accounts/${t.accountId}/d1/database/${d1Id}/query`, { method: 'POST', ...jsonBody({ sql: 'CREATE TABLE seen (label TEXT)' }) })
    const bucket = await t.json(`/accounts/${t.accountId}/r2/buckets`, { method: 'POST', ...jsonBody({ name: 'matrix' }) })
    assert.equal(bucket.status, 200, JSON.stringify(bucket.body))
    await t.json(`/accounts/${t.accountId}/queues`, { method: 'POST', ...jsonBody({ queue_name: 'matrix' }) })
    await createNamespace(t, 'tenants')
    const hello = await putScript(t, namespaceScriptPath(t, 'tenants', 'hello'), `export default { fetch() { return new Response('hello tenant') } }`)
    assert.equal(hello.status, 200, JSON.stringify(hello.body))
    const echo = await putScript(t, accountScriptPath(t, 'echo'), `export default { fetch(r) { return new Response('echo ' + new URL(r.url).pathname) } }`)
    assert.equal(echo.status, 200, JSON.stringify(echo.body))
    const objects = await putScript(
      t,
      accountScriptPath(t, 'do-host'),
      `import { DurableObject } from 'cloudflare:workers'
      export class Greeter extends DurableObject { fetch(r) { return new Response('object ' + new URL(r.url).pathname) } }
      export default { fetch() { return new Response('do host') } }`,
      { migrations: { new_tag: 'v1', new_sqlite_classes: ['Greeter'] } },
    )
    assert.equal(objects.status, 200, JSON.stringify(objects.body))
  })
  after(() => t.close())

  const bindings = (format: 'modules' | 'service-worker') => [
    { type: 'plain_text', name: 'P', text: 'plain' },
    { type: 'secret_text', name: 'S', text: 'secret' },
    { type: 'json', name: 'J', json: { level: 3 } },
    { type: 'kv_namespace', name: 'KV', namespace_id: kvId },
    { type: 'd1', name: 'DB', id: d1Id },
    { type: 'r2_bucket', name: 'R2', bucket_name: 'matrix' },
    { type: 'service', name: 'SVC', service: 'echo' },
    { type: 'dispatch_namespace', name: 'DISPATCH', namespace: 'tenants' },
    { type: 'version_metadata', name: 'VERSION' },
    { type: 'assets', name: 'ASSETS' },
    { type: 'durable_object_namespace', name: 'DO', class_name: 'Greeter', script_name: 'do-host' },
    { type: 'queue', name: 'Q', queue_name: 'matrix' },
    { type: 'secret_key', name: 'KEY', format: 'raw', algorithm: { name: 'HMAC', hash: 'SHA-256' }, usages: ['sign', 'verify'], key_base64: HMAC_KEY.toString('base64') },
    ...(format === 'service-worker'
      ? [
          { type: 'wasm_module', name: 'WASM', part: 'add.wasm' },
          { type: 'text_blob', name: 'TEXT', part: 'note.txt' },
          { type: 'data_blob', name: 'DATA', part: 'bytes.bin' },
        ]
      : []),
  ]

  async function upload(name: string, format: 'modules' | 'service-worker', date: string | undefined, flags: string[]): Promise<void> {
    const { jwt } = await uploadAssets(t, `${accountScriptPath(t, name)}/assets-upload-session`, { '/hello.txt': { content: 'hello asset' } })
    const assets = { jwt, config: { run_worker_first: true } }
    const form = new FormData()
    const main = format === 'modules' ? { main_module: 'index.js' } : { body_part: 'index.js' }
    form.set('metadata', JSON.stringify({ ...main, ...(date ? { compatibility_date: date } : {}), compatibility_flags: flags, assets, bindings: bindings(format) }))
    const code = format === 'modules' ? MODULE_WORKER : SERVICE_WORKER
    form.set('index.js', new Blob([code], { type: format === 'modules' ? 'application/javascript+module' : 'application/javascript' }), 'index.js')
    if (format === 'service-worker') {
      form.set('add.wasm', new Blob([ADD_WASM], { type: 'application/wasm' }), 'add.wasm')
      form.set('note.txt', new Blob(['a text blob'], { type: 'text/plain' }), 'note.txt')
      form.set('bytes.bin', new Blob([new Uint8Array([7, 8, 9])], { type: 'application/octet-stream' }), 'bytes.bin')
    }
    const res = await t.json(accountScriptPath(t, name), { method: 'PUT', body: form })
    assert.equal(res.status, 200, JSON.stringify(res.body))
  }

  const expectedSignature = createHmac('sha256', HMAC_KEY).update('sign me').digest('hex')

  for (const format of ['modules', 'service-worker'] as const) {
    const cases = [
      ['no-date', undefined, []],
      ['oldest', '2021-11-02', []],
      ['today', 'today', []],
      ['today-flags', 'today', ['no_rpc', 'nodejs_compat']],
    ] as const
    for (const [label, date, flags] of cases) {
      it(`${format}, ${label}: every binding is Cloudflare's object`, async () => {
        const name = `matrix-${format === 'modules' ? 'm' : 'sw'}-${label}`
        await upload(name, format, date === 'today' ? today : date, [...flags])
        const res = await edge(t, await defaultHost(t, name), `/?label=${name}`)
        assert.equal(res.status, 200, res.text)
        const out = JSON.parse(res.text)
        assert.deepEqual(
          { ...out, wasm: undefined, text: undefined, data: undefined },
          {
            plain: 'plain',
            secret: 'secret',
            json: 3,
            kvGet: 'hello from KV',
            kvJson: { plan: 'pro' },
            kvStream: 'hello from KV',
            kvBytes: 13,
            kvPutBytes: [1, 2, 3],
            kvMeta: { value: `by ${name}`, metadata: { label: name }, cacheStatus: null },
            kvMany: { greeting: 'hello from KV', absent: null },
            kvList: ['greeting'],
            kvDeleted: null,
            d1: name,
            r2: { etag: true, text: `says ${name}`, meta: { label: name }, listed: 1 },
            r2Deleted: null,
            service: 'echo /ping',
            dispatch: 'hello tenant',
            asset: 'hello asset',
            version: true,
            key: { type: 'secret', extractable: false, algorithm: 'HMAC', usages: ['sign', 'verify'] },
            signature: expectedSignature,
            durableObject: 'object /hello',
            queueSent: true,
            wasm: undefined,
            text: undefined,
            data: undefined,
          },
        )
        if (format === 'service-worker') assert.deepEqual([out.wasm, out.text, out.data], [42, 'a text blob', [7, 8, 9]])
        const [queue] = (await t.json(`/accounts/${t.accountId}/queues?name=matrix`)).body.result
        const backlog = await t.platform.store.queues.backlog(queue.queue_id, Date.now())
        assert.ok(backlog >= 3, 'the queue holds what the Worker sent')
      })
    }
  }

  it("runs the seed's upload: a kv_namespace binding and no compatibility date, through a dispatch Worker", async () => {
    const host = await deployDispatcher(t, 'tenants')
    const form = new FormData()
    form.set('metadata', JSON.stringify({ main_module: 'worker.js', bindings: [{ type: 'kv_namespace', name: 'KV', namespace_id: kvId }] }))
    form.set(
      'worker.js',
      new Blob([`export default { async fetch(request, env) { return new Response('kv says: ' + await env.KV.get('greeting')) } }`], {
        type: 'application/javascript+module',
      }),
      'worker.js',
    )
    const up = await t.json(namespaceScriptPath(t, 'tenants', 'seed-kv'), { method: 'PUT', body: form })
    assert.equal(up.status, 200, JSON.stringify(up.body))
    const res = await edge(t, host, '/seed-kv')
    assert.equal(res.status, 200, res.text)
    assert.equal(res.text, 'kv says: hello from KV')
  })

  it('gives code that imports env from cloudflare:workers the same objects, without a date', async () => {
    const form = new FormData()
    form.set('metadata', JSON.stringify({ main_module: 'index.js', bindings: [{ type: 'kv_namespace', name: 'KV', namespace_id: kvId }] }))
    const code = `import { env } from 'cloudflare:workers'
    export default { async fetch() { return Response.json({ value: await env.KV.get('greeting'), names: (await env.KV.list({ prefix: 'conf' })).keys.map((k) => k.name) }) } }`
    form.set('index.js', new Blob([code], { type: 'application/javascript+module' }), 'index.js')
    const up = await t.json(accountScriptPath(t, 'imported-env'), { method: 'PUT', body: form })
    assert.equal(up.status, 200, JSON.stringify(up.body))
    const res = await edge(t, await defaultHost(t, 'imported-env'), '/')
    assert.deepEqual(JSON.parse(res.text), { value: 'hello from KV', names: ['config'] })
  })

  it('gives named entrypoint classes the same objects (a service binding to one, under the oldest date)', async () => {
    const target = await putScript(
      t,
      accountScriptPath(t, 'named-kv'),
      `import { WorkerEntrypoint } from 'cloudflare:workers'
      export class Reader extends WorkerEntrypoint { async fetch() { return new Response('named reads ' + await this.env.KV.get('greeting')) } }
      export default { fetch() { return new Response('default') } }`,
      { compatibility_date: '2021-11-02', bindings: [{ type: 'kv_namespace', name: 'KV', namespace_id: kvId }] },
    )
    assert.equal(target.status, 200, JSON.stringify(target.body))
    const caller = await putScript(
      t,
      accountScriptPath(t, 'named-caller'),
      `export default { async fetch(r, env) { return env.READER.fetch(r) } }`,
      { compatibility_date: '2021-11-02', bindings: [{ type: 'service', name: 'READER', service: 'named-kv', entrypoint: 'Reader' }] },
    )
    assert.equal(caller.status, 200, JSON.stringify(caller.body))
    const res = await edge(t, await defaultHost(t, 'named-caller'), '/')
    assert.equal(res.text, 'named reads hello from KV')
  })
})
