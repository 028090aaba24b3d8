import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { after, before, describe, it } from 'node:test'
import { promisify } from 'node:util'
import { accountScriptPath, createNamespace, defaultHost, deployDispatcher, edge, namespaceScriptPath, putScript } from '../helpers/edge.js'
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js'
import { openTail } from './helpers/tail-client.js'

const run = promisify(execFile)

// A dispatch Worker that lets a user Worker's exception through, as many platforms' do.
const PASSTHROUGH = `export default {
  fetch(request, env) { return env.dispatcher.get(new URL(request.url).pathname.split('/')[1]).fetch(request) },
}`
const THROWER = `export default { fetch() { throw new Error('tenant internals: password hunter2') } }`
const BROWSER = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'
const RAY = /^([0-9a-f]{16})-LOC$/

async function deployTenants(t: TestPlatform): Promise<string> {
  await createNamespace(t, 'tenants')
  const host = await deployDispatcher(t, 'tenants', PASSTHROUGH)
  // Workers Logs on, so its invocations are recorded (opt-in, as on Cloudflare).
  const up = await putScript(t, namespaceScriptPath(t, 'tenants', 'thrower'), THROWER, { observability: { enabled: true } })
  assert.equal(up.status, 200, JSON.stringify(up.body))
  return host
}

function rayOf(res: { headers: Record<string, string | string[] | undefined> }): { ray: string; id: string } {
  const ray = String(res.headers['cf-ray'])
  const match = RAY.exec(ray)
  assert.ok(match, `cf-ray ${ray}`)
  return { ray, id: match[1]! }
}

describe('edge error pages: ray ids, formats, no leaks', () => {
  let t: TestPlatform
  let host: string

  before(async () => {
    t = await startTestPlatform()
    host = await deployTenants(t)
  })
  after(() => t.close())

  it('answers a throwing Worker with a 1101 page whose ray finds the invocation in the logs', async () => {
    const res = await edge(t, host, '/thrower', { headers: { accept: BROWSER } })
    assert.equal(res.status, 500)
    assert.match(String(res.headers['content-type']), /^text\/html/)
    const { ray, id } = rayOf(res)
    assert.match(res.text, /Error <span class="code">1101<\/span>/)
    assert.match(res.text, /Worker threw exception/)
    assert.ok(res.text.includes(`Ray ID: <code>${id}</code>`))
    assert.ok(!res.text.includes('hunter2'), 'the tenant’s exception never reaches end users')
    assert.ok(!/<link|<script|src=/.test(res.text), 'the page loads nothing else')

    // Trace events arrive shortly after the response; poll (bounded) until this one is in.
    const logsPath = `/accounts/${t.accountId}/workerhive/logs?script=thrower&namespace=tenants&ray=${ray}`
    let found: Array<{ rayId?: string; outcome?: string; exceptions?: Array<{ message?: string }> }> = []
    for (let i = 0; i < 50 && found.length === 0; i++) {
      found = (await t.json(logsPath)).body.result
      if (found.length === 0) await new Promise((r) => setTimeout(r, 100))
    }
    assert.equal(found.length, 1, 'exactly the invocation of this ray')
    assert.equal(found[0]!.rayId, id)
    assert.equal(found[0]!.outcome, 'exception')
    assert.match(found[0]!.exceptions?.[0]?.message ?? '', /hunter2/, 'operators see what end users do not')

    const env = { PATH: process.env.PATH, CLOUDFLARE_API_BASE_URL: t.platform.apiUrl, CLOUDFLARE_API_TOKEN: t.token, CLOUDFLARE_ACCOUNT_ID: t.accountId }
    const cli = await run(process.execPath, ['bin/workerhive.js', 'logs', 'thrower', '--namespace', 'tenants', '--ray', id], { env })
    assert.match(cli.stdout, new RegExp(`/thrower -> \\S+ \\(exception\\) ray ${id}\\n`))
    assert.match(cli.stdout, /\[exception\] Error: tenant internals: password hunter2\n {4}at Object\.fetch \(index\.js:1:/)

    const other = (await t.json(`/accounts/${t.accountId}/workerhive/logs?script=thrower&namespace=tenants&ray=0123456789abcdef`)).body
    assert.deepEqual(other.result, [])
  })

  it('shows the ray to a live tail, where `wrangler tail --header cf-ray:<id>` finds it', async () => {
    const tails = `${namespaceScriptPath(t, 'tenants', 'thrower')}/tails`
    const session = await t.json(tails, { method: 'POST', body: JSON.stringify({ filters: [{ header: { key: 'cf-ray' } }] }) })
    assert.equal(session.status, 200, JSON.stringify(session.body))
    const client = await openTail(session.body.result.url)
    const res = await edge(t, host, '/thrower')
    const { ray } = rayOf(res)
    await client.received(1)
    await t.json(`${tails}/${session.body.result.id}`, { method: 'DELETE' })
    const [event] = client.messages as Array<{ outcome: string; event: { request: { headers: Record<string, string> } } }>
    assert.equal(event!.outcome, 'exception')
    assert.equal(event!.event.request.headers['cf-ray'], ray)
  })

  it('answers curl in plain text and clients that ask in JSON (RFC 9457) or Markdown', async () => {
    const plain = await edge(t, host, '/thrower')
    assert.equal(plain.status, 500)
    assert.equal(plain.text, 'error code: 1101')
    assert.match(String(plain.headers['content-type']), /^text\/plain/)

    const json = await edge(t, host, '/thrower', { headers: { accept: 'application/json' } })
    assert.equal(json.status, 500)
    assert.match(String(json.headers['content-type']), /^application\/json/)
    const body = JSON.parse(json.text)
    const { id } = rayOf(json)
    assert.equal(body.error_code, 1101)
    assert.equal(body.status, 500)
    assert.equal(body.title, 'Worker threw exception')
    assert.equal(body.ray_id, id)
    assert.equal(body.instance, id)
    assert.ok(!json.text.includes('hunter2'))

    const problem = await edge(t, host, '/thrower', { headers: { accept: 'application/problem+json' } })
    assert.match(String(problem.headers['content-type']), /^application\/problem\+json/)
    const md = await edge(t, host, '/thrower', { headers: { accept: 'text/markdown, application/json' } })
    assert.match(md.text, /^---\n(.*\n)*error_code: 1101\n/)
    assert.ok(md.text.includes(`ray_id: "${rayOf(md).id}"`))
  })

  it('gives every edge response a ray the Worker also sees, never one the client chose', async () => {
    const up = await putScript(t, accountScriptPath(t, 'echo-ray'), `export default { fetch(r) { return new Response(r.headers.get('cf-ray')) } }`)
    assert.equal(up.status, 200, JSON.stringify(up.body))
    const res = await edge(t, await defaultHost(t, 'echo-ray'), '/', { headers: { 'cf-ray': 'aaaaaaaaaaaaaaaa-EVIL' } })
    assert.equal(res.status, 200)
    const { ray } = rayOf(res)
    assert.equal(res.text, ray)
    const again = await edge(t, await defaultHost(t, 'echo-ray'), '/')
    assert.notEqual(rayOf(again).ray, ray, 'one ray per request')

    const nowhere = await edge(t, 'nothing.example.com', '/')
    assert.equal(nowhere.status, 404)
    assert.equal(nowhere.text, 'error code: 1001')
    rayOf(nowhere)
  })
})

describe('edge error pages in development mode (--dev)', () => {
  let t: TestPlatform
  let host: string

  before(async () => {
    // 2 s for user Workers, so account Workers get 4 s: long enough for cold loads on a busy machine.
    t = await startTestPlatform({ dev: true, wallClockMs: 2000 })
    host = await deployTenants(t)
  })
  after(() => t.close())

  it('shows the exception message and stack on the 1101 page', async () => {
    const res = await edge(t, host, '/thrower', { headers: { accept: BROWSER } })
    assert.equal(res.status, 500)
    assert.match(res.text, /Error <span class="code">1101<\/span>/)
    assert.match(res.text, /<pre>[^<]*tenant internals: password hunter2/)
    const plain = await edge(t, host, '/thrower')
    assert.match(plain.text, /^error code: 1101\n\n.*hunter2/)
  })

  it('answers 1102 (503) when an account Worker runs past its wall-clock deadline', async () => {
    const up = await putScript(t, accountScriptPath(t, 'sleeper'), `export default { async fetch() { await new Promise((r) => setTimeout(r, 60_000)); return new Response('late') } }`)
    assert.equal(up.status, 200, JSON.stringify(up.body))
    const res = await edge(t, await defaultHost(t, 'sleeper'), '/', { headers: { accept: BROWSER } })
    assert.equal(res.status, 503)
    assert.match(res.text, /Error <span class="code">1102<\/span>/)
    assert.match(res.text, /Worker exceeded its wall-clock limit\./)
    rayOf(res)
  })
})
