import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import {
  accountScriptPath,
  createNamespace,
  defaultHost,
  deployDispatcher,
  edge,
  namespaceScriptPath,
  putScript,
} from '../helpers/edge.js'
import { jsonBody, startTestPlatform, type TestPlatform } from '../helpers/platform.js'
import { createLogger } from '../../src/util/logger.js'

const NO_LISTENERS = 'No event handlers were registered. This script does nothing.'
const NO_HANDLERS = 'The uploaded script has no registered event handlers.'

/** A refusal in Cloudflare's envelope: this status, this code, this message. */
function assertRefused(res: { status: number; body: any }, code: number, message: string | RegExp): void {
  assert.equal(res.status, 400, JSON.stringify(res.body))
  assert.equal(res.body.success, false)
  assert.equal(res.body.errors[0].code, code, JSON.stringify(res.body))
  if (typeof message === 'string') assert.equal(res.body.errors[0].message, message)
  else assert.match(res.body.errors[0].message, message)
}

/** A multipart upload of one ES module, `index.js`. */
function moduleForm(code: string): FormData {
  const form = new FormData()
  form.append('metadata', JSON.stringify({ main_module: 'index.js', compatibility_date: '2026-01-01' }))
  form.append('index.js', new Blob([code], { type: 'application/javascript+module' }), 'index.js')
  return form
}

const rawServiceWorker = (t: TestPlatform, path: string, body: string) =>
  t.json(path, { method: 'PUT', headers: { 'content-type': 'application/javascript' }, body })

// Cloudflare runs an upload's startup before the version exists: a top level that throws or never
// ends, or code that registers nothing, is refused and the previous version keeps serving.
describe('upload validation: startup runs in workerd before a version is stored', () => {
  let t: TestPlatform
  let dispatcher: string
  const userPath = (name: string) => namespaceScriptPath(t, 'tenants', name)
  const records: Array<Record<string, unknown>> = []

  before(async () => {
    t = await startTestPlatform({}, undefined, createLogger('debug', { write: (record: string) => records.push(JSON.parse(record)) }))
    await createNamespace(t, 'tenants')
    dispatcher = await deployDispatcher(t, 'tenants')
    const v1 = await putScript(t, userPath('site'), `export default { fetch() { return new Response('v1') } }`)
    assert.equal(v1.status, 200, JSON.stringify(v1.body))
  })
  after(() => t.close())

  const stillServesV1 = async () => {
    const res = await edge(t, dispatcher, '/site')
    assert.equal(res.status, 200)
    assert.equal(res.text, 'v1')
    const details = await t.json(userPath('site'))
    assert.equal(details.status, 200)
  }

  it('refuses a service worker that adds no event listener (an empty body too) with 10021', async () => {
    assertRefused(await rawServiceWorker(t, userPath('site'), ''), 10021, NO_LISTENERS)
    assertRefused(await rawServiceWorker(t, userPath('site'), 'const unused = 1'), 10021, NO_LISTENERS)
    await stillServesV1()
    // A new name stays missing.
    assertRefused(await rawServiceWorker(t, userPath('empty'), ''), 10021, NO_LISTENERS)
    assert.equal((await t.json(userPath('empty'))).status, 404)
  })

  it('refuses a module without handlers, or with an empty default export, with 10068', async () => {
    assertRefused(await putScript(t, userPath('site'), 'export const answer = 42'), 10068, NO_HANDLERS)
    assertRefused(await putScript(t, userPath('site'), 'export default {}'), 10068, NO_HANDLERS)
    assertRefused(await putScript(t, userPath('site'), ''), 10068, NO_HANDLERS)
    await stillServesV1()
  })

  it('accepts modules whose only exports are a Durable Object class or a named entrypoint', async () => {
    const durable = `import { DurableObject } from 'cloudflare:workers'\nexport class Counter extends DurableObject { fetch() { return new Response('n') } }`
    assert.equal((await putScript(t, userPath('objects'), durable)).status, 200)
    const rpc = `import { WorkerEntrypoint } from 'cloudflare:workers'\nexport class Api extends WorkerEntrypoint { add(a, b) { return a + b } }`
    assert.equal((await putScript(t, userPath('rpc'), rpc)).status, 200)
  })

  it('refuses a top level that throws with the exception as workerd prints it, storing nothing', async () => {
    const thrower = `const ready = true\nthrow new Error('boom')\nexport default { fetch() { return new Response('v2') } }`
    assertRefused(await putScript(t, userPath('site'), thrower), 10021, 'Uncaught Error: boom\n  at index.js:2:7')
    const helper = { name: 'lib.js', content: `export const value = missing.field` }
    const importer = `import { value } from './lib.js'\nexport default { fetch() { return new Response(value) } }`
    assertRefused(await putScript(t, userPath('site'), importer, {}, [helper]), 10021, /^Uncaught ReferenceError: missing is not defined\n {2}at lib\.js:1:/)
    const io = `await fetch('https://example.com/')\nexport default { fetch() { return new Response('v2') } }`
    assertRefused(await putScript(t, userPath('site'), io), 10021, /^Uncaught Error: Disallowed operation called within global scope/)
    await stillServesV1()
    const versions = await t.platform.store.scripts.get({ accountId: t.accountId, namespaceId: (await t.platform.store.namespaces.get(t.accountId, 'tenants'))!.id }, 'site')
    assert.ok(versions)
    assert.equal((await t.platform.store.scripts.versions(versions.id)).length, 1, 'no refused version was stored')
  })

  it('judges concurrent uploads each on its own, also when they share a check isolate', async () => {
    const serve = `export default { fetch() { return new Response('ok') } }`
    const cases: Array<{ name: string; code: string; refused?: RegExp }> = [
      ...Array.from({ length: 6 }, (_, i) => ({ name: `together-${i}`, code: `console.log('top level of together-${i}')\n${serve}` })),
      // Alone, the second throws: a neighbour's global must not make it pass.
      { name: 'together-polluter', code: `globalThis.sharedFlag = 1\n${serve}` },
      { name: 'together-dependent', code: `if (!globalThis.sharedFlag) throw new Error('alone')\n${serve}`, refused: /^Uncaught Error: alone/ },
      { name: 'together-patcher', code: `Array.prototype.sharedFlag = 1\n${serve}` },
      { name: 'together-patched', code: `if (![].sharedFlag) throw new Error('unpatched')\n${serve}`, refused: /^Uncaught Error: unpatched/ },
      { name: 'together-thrower', code: `throw new Error('boom')\n${serve}`, refused: /^Uncaught Error: boom\n {2}at index\.js:1:7/ },
      { name: 'together-io', code: `await fetch('https://example.com/')\n${serve}`, refused: /^Uncaught Error: Disallowed operation called within global scope/ },
    ]
    const shared = t.platform.edge.startup.sharedPasses
    const results = await Promise.all(cases.map((c) => putScript(t, userPath(c.name), c.code)))
    results.forEach((res, i) => {
      const { name, refused } = cases[i]!
      if (refused) assertRefused(res, 10021, refused)
      else assert.equal(res.status, 200, `${name}: ${JSON.stringify(res.body)}`)
    })
    assert.ok(t.platform.edge.startup.sharedPasses > shared, 'some uploads passed in a shared isolate')
    // What a top level prints is its own script's, in a shared isolate too (lines reach Node a little later).
    const printed = () => records.filter((r) => r['component'] === 'tenant' && String(r['msg']).startsWith('top level of '))
    for (let i = 0; i < 100 && new Set(printed().map((r) => r['msg'])).size < 6; i++) await new Promise((r) => setTimeout(r, 50))
    const lines = printed()
    assert.equal(new Set(lines.map((r) => r['msg'])).size, 6)
    for (const r of lines) assert.equal(`top level of ${r['script']}`, r['msg'])
  })

  it('runs the startup with the bindings in place: a service worker may read its globals at the top level', async () => {
    const sw = `const greeting = GREETING\naddEventListener('fetch', (e) => e.respondWith(new Response(greeting)))`
    const form = new FormData()
    form.append('metadata', JSON.stringify({ body_part: 'sw.js', bindings: [{ type: 'plain_text', name: 'GREETING', text: 'hello' }] }))
    form.append('sw.js', new Blob([sw], { type: 'application/javascript' }), 'sw.js')
    const res = await t.json(userPath('greeter'), { method: 'PUT', body: form })
    assert.equal(res.status, 200, JSON.stringify(res.body))
    assert.equal((await edge(t, dispatcher, '/greeter')).text, 'hello')
  })

  it('refuses a top level that never ends, without convicting anyone, and keeps accepting uploads', async () => {
    const spinner = `while (true) {}\nexport default { fetch() { return new Response('never') } }`
    assertRefused(await putScript(t, userPath('site'), spinner), 10021, 'Script startup exceeded CPU time limit.')
    await stillServesV1()
    assert.deepEqual(t.platform.edge.watchdog.containment.entries(), [], 'a startup check is nobody to contain')
    const v2 = await putScript(t, userPath('site'), `export default { fetch() { return new Response('v2') } }`)
    assert.equal(v2.status, 200, JSON.stringify(v2.body))
    assert.equal((await edge(t, dispatcher, '/site')).text, 'v2')
  })

  it('waits for the probation process when an upload arrives while it restarts', async () => {
    const probation = t.platform.edge.processes().find((p) => p.role === 'probation')!
    t.platform.edge.kill(probation.index)
    const res = await putScript(t, userPath('after-restart'), `export default { fetch() { return new Response('fine') } }`)
    assert.equal(res.status, 200, JSON.stringify(res.body))
    assert.equal((await edge(t, dispatcher, '/after-restart')).text, 'fine')
  })

  it('checks account scripts, their versions and code-only uploads the same way', async () => {
    const host = await defaultHost(t, 'front')
    assert.equal((await putScript(t, accountScriptPath(t, 'front'), `export default { fetch() { return new Response('front v1') } }`)).status, 200)
    const thrower = `throw new TypeError('bad config')\nexport default { fetch() { return new Response('x') } }`
    assertRefused(await putScript(t, accountScriptPath(t, 'front'), thrower), 10021, 'Uncaught TypeError: bad config\n  at index.js:1:7')
    const version = moduleForm(thrower)
    assertRefused(await t.json(`${accountScriptPath(t, 'front')}/versions`, { method: 'POST', body: version }), 10021, /^Uncaught TypeError: bad config/)
    const content = moduleForm('export default {}')
    assertRefused(await t.json(`${accountScriptPath(t, 'front')}/content`, { method: 'PUT', body: content }), 10068, NO_HANDLERS)
    assert.equal((await edge(t, host)).text, 'front v1')
  })

  it('names modules by part name: a filename that differs from it still uploads', async () => {
    const form = new FormData()
    form.append('metadata', JSON.stringify({ main_module: 'worker.js', compatibility_date: '2026-01-01' }))
    const code = `import { word } from './util.js'\nexport default { fetch() { return new Response(word) } }`
    form.append('worker.js', new Blob([code], { type: 'application/javascript+module' }), 'src/index.js')
    form.append('util.js', new Blob([`export const word = 'by part name'`], { type: 'application/javascript+module' }), 'build/util.mjs')
    const res = await t.json(userPath('parts'), { method: 'PUT', body: form })
    assert.equal(res.status, 200, JSON.stringify(res.body))
    assert.equal((await edge(t, dispatcher, '/parts')).text, 'by part name')
  })
})

describe('dispatch namespace names follow Cloudflare rules', () => {
  let t: TestPlatform
  const base = () => `/accounts/${t.accountId}/workers/dispatch/namespaces`
  before(async () => {
    t = await startTestPlatform()
  })
  after(() => t.close())

  it('refuses invalid names on create and rename with 10016, changing nothing', async () => {
    for (const name of ['Bad Name!', 'UPPER', '-dash-first', 'dot.ted', 'a'.repeat(64)]) {
      const res = await t.json(base(), { method: 'POST', ...jsonBody({ name }) })
      assert.equal(res.status, 400, name)
      assert.equal(res.body.errors[0].code, 10016, name)
    }
    assert.equal((await t.json(base(), { method: 'POST', ...jsonBody({ name: 'good_name-1' }) })).status, 200)
    const rename = await t.json(`${base()}/good_name-1`, { method: 'PUT', ...jsonBody({ name: 'Bad Name!' }) })
    assert.equal(rename.status, 400)
    assert.equal(rename.body.errors[0].code, 10016)
    const list = await t.json(base())
    assert.deepEqual(list.body.result.map((n: any) => n.namespace_name), ['good_name-1'])
  })
})

describe('startup checks and the probation process budget', () => {
  let t: TestPlatform
  before(async () => {
    t = await startTestPlatform({ maxIsolatesPerProcess: 2 })
    await createNamespace(t, 'tenants')
  })
  after(() => t.close())

  it('counts each check like a loaded isolate, so the probation process is recycled, and uploads go on', async () => {
    const upload = (i: number) => putScript(t, namespaceScriptPath(t, 'tenants', `w${i}`), `export default { fetch() { return new Response('${i}') } }`)
    for (let i = 0; i < 4; i++) assert.equal((await upload(i)).status, 200)
    // The watchdog reads the count on its next probe (every 100 ms); bounded wait for the recycle.
    for (let i = 0; i < 200 && t.platform.edge.watchdog.recycles === 0; i++) await new Promise((r) => setTimeout(r, 50))
    assert.ok(t.platform.edge.watchdog.recycles >= 1, 'the probation process was recycled')
    for (let i = 4; i < 8; i++) assert.equal((await upload(i)).status, 200)
    assert.equal(t.platform.edge.watchdog.kills, 0)
  })
})
