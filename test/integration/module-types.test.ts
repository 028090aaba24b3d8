import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { createNamespace, deployDispatcher, edge, namespaceScriptPath, putScript } from '../helpers/edge.js'
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js'

// (module (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))
const ADD_WASM = Buffer.from('0061736d0100000001070160027f7f017f030201000707010361646400000a09010700200020016a0b', 'hex')

describe('every module type of an upload runs in the edge', () => {
  let t: TestPlatform
  let host: string

  before(async () => {
    t = await startTestPlatform()
    await createNamespace(t, 'modules')
    host = await deployDispatcher(t, 'modules')
  })
  after(() => t.close())

  it('imports text, data, JSON, Wasm and CommonJS modules from an ES module, with nodejs_compat', async () => {
    const form = new FormData()
    form.set('metadata', JSON.stringify({ main_module: 'index.js', compatibility_date: '2026-01-01', compatibility_flags: ['nodejs_compat'] }))
    const part = (name: string, body: string | Uint8Array, type: string) => form.set(name, new Blob([body], { type }), name)
    part(
      'index.js',
      `import greeting from './greeting.txt'
       import bytes from './bytes.bin'
       import config from './config.json'
       import addModule from './add.wasm'
       import helper from './helper.cjs'
       import { Buffer } from 'node:buffer'
       export default {
         async fetch() {
           const { exports } = await WebAssembly.instantiate(addModule)
           return Response.json({
             text: greeting, data: [...new Uint8Array(bytes)], json: config.plan,
             wasm: exports.add(2, 40), cjs: helper.shout('hi'), node: Buffer.from('ok').toString('base64'),
           })
         },
       }`,
      'application/javascript+module',
    )
    part('greeting.txt', 'hello text', 'text/plain')
    part('bytes.bin', new Uint8Array([1, 2, 3]), 'application/octet-stream')
    part('config.json', '{"plan":"pro"}', 'application/json')
    part('add.wasm', ADD_WASM, 'application/wasm')
    part('helper.cjs', 'module.exports = { shout: (s) => s.toUpperCase() + "!" }', 'application/javascript')
    const up = await t.json(namespaceScriptPath(t, 'modules', 'all-types'), { method: 'PUT', body: form })
    assert.equal(up.status, 200, JSON.stringify(up.body))
    const res = await edge(t, host, '/all-types')
    assert.deepEqual(JSON.parse(res.text), { text: 'hello text', data: [1, 2, 3], json: 'pro', wasm: 42, cjs: 'HI!', node: 'b2s=' })
  })

  it('gives a service-worker script its Wasm, text and data parts as globals', async () => {
    const form = new FormData()
    form.set('metadata', JSON.stringify({
      body_part: 'worker.js',
      bindings: [
        { type: 'wasm_module', name: 'ADD', part: 'add.wasm' },
        { type: 'text_blob', name: 'GREETING', part: 'greeting.txt' },
        { type: 'data_blob', name: 'BYTES', part: 'bytes.bin' },
        { type: 'plain_text', name: 'PLAIN', text: 'plain var' },
        { type: 'json', name: 'SETTINGS', json: { level: 3 } },
      ],
    }))
    form.set('worker.js', new Blob([`addEventListener('fetch', (event) => event.respondWith(handle()))
      async function handle() {
        const instance = await WebAssembly.instantiate(ADD)
        return new Response(JSON.stringify({ wasm: instance.exports.add(1, 2), text: GREETING, data: new Uint8Array(BYTES).length, plain: PLAIN, json: SETTINGS.level }))
      }`], { type: 'application/javascript' }), 'worker.js')
    form.set('add.wasm', new Blob([ADD_WASM], { type: 'application/wasm' }), 'add.wasm')
    form.set('greeting.txt', new Blob(['hi from a text blob'], { type: 'text/plain' }), 'greeting.txt')
    form.set('bytes.bin', new Blob([new Uint8Array([9, 9, 9, 9])], { type: 'application/octet-stream' }), 'bytes.bin')
    const up = await t.json(namespaceScriptPath(t, 'modules', 'sw-globals'), { method: 'PUT', body: form })
    assert.equal(up.status, 200, JSON.stringify(up.body))
    const res = await edge(t, host, '/sw-globals')
    assert.deepEqual(JSON.parse(res.text), { wasm: 3, text: 'hi from a text blob', data: 4, plain: 'plain var', json: 3 })
  })

  it('honours compatibility flags: without nodejs_compat, node: modules are not there', async () => {
    const up = await putScript(
      t,
      namespaceScriptPath(t, 'modules', 'no-node'),
      `export default { async fetch() { try { await import('node:buffer'); return new Response('loaded') } catch (e) { return new Response('refused') } } }`,
    )
    assert.equal(up.status, 200, JSON.stringify(up.body))
    assert.equal((await edge(t, host, '/no-node')).text, 'refused')
  })
})
