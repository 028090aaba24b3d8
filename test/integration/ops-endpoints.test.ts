import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { createLogger } from '../../src/util/logger.js'
import { createNamespace, deployDispatcher, edge, namespaceScriptPath, putScript } from '../helpers/edge.js'
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js'

const HELLO = 'export default { fetch() { return new Response("hello") } }'
// One console.error whose Error message and stack span several lines.
const NOISY = `export default { fetch() {
  console.error('checkout failed:', new Error('first line\\nsecond line'))
  return new Response('noisy')
} }`

interface Sample {
  name: string
  labels: Record<string, string>
  value: number
}

/** Prometheus text format: every line a comment or a sample; throws on anything else. */
function parsePrometheus(text: string): Sample[] {
  const samples: Sample[] = []
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('# HELP ') || line.startsWith('# TYPE ')) continue
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line)
    assert.ok(m, `not a Prometheus sample: ${line}`)
    const labels: Record<string, string> = {}
    const body = m[2] ?? ''
    const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)",?/gy
    let consumed = 0
    for (let l = re.exec(body); l; l = re.exec(body)) {
      labels[l[1]!] = l[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c))
      consumed = re.lastIndex
    }
    assert.equal(consumed, body.length, `bad labels: ${line}`)
    const value = Number(m[3])
    assert.ok(!Number.isNaN(value) || m[3] === 'NaN', `bad value: ${line}`)
    samples.push({ name: m[1]!, labels, value })
  }
  return samples
}

const until = async <T>(read: () => Promise<T>, done: (value: T) => boolean, tries = 100): Promise<T> => {
  let value = await read()
  for (let i = 0; i < tries && !done(value); i++) {
    await new Promise((r) => setTimeout(r, 100))
    value = await read()
  }
  return value
}

describe('operations endpoints and logs', () => {
  let t: TestPlatform
  let host: string
  const records: Array<Record<string, unknown>> = []
  before(async () => {
    const log = createLogger('debug', { write: (record: string) => records.push(JSON.parse(record)) })
    t = await startTestPlatform({}, undefined, log)
    await createNamespace(t, 'shop')
    await createNamespace(t, 'blog')
    await putScript(t, namespaceScriptPath(t, 'shop', 'hello'), HELLO)
    await putScript(t, namespaceScriptPath(t, 'blog', 'noisy'), NOISY)
    // One dispatcher per namespace would need two accounts; this one routes `/<ns>:<script>/`.
    host = await deployDispatcher(
      t,
      'shop',
      `export default { async fetch(request, env) {
        const [ns, script] = new URL(request.url).pathname.split('/')[1].split(':')
        return (ns === 'shop' ? env.dispatcher : env.blog).get(script).fetch(request)
      } }`,
      [{ type: 'dispatch_namespace', name: 'blog', namespace: 'blog' }],
    )
  })
  after(() => t?.close())

  const metrics = async (token?: string | null) => {
    const r = await root('/metrics', token ? { headers: { authorization: `Bearer ${token}` } } : {})
    return { status: r.status, type: r.headers.get('content-type'), text: await r.text() }
  }
  const root = (path: string, init: RequestInit = {}) => fetch(`http://127.0.0.1:${t.platform.apiPort}${path}`, init)

  it('/metrics parses as Prometheus text and counts requests per namespace, never per script', async () => {
    const N = 5
    for (let i = 0; i < N; i++) assert.equal((await edge(t, host, '/shop:hello/')).text, 'hello')
    assert.equal((await edge(t, host, '/blog:noisy/')).text, 'noisy')
    const okOf = (samples: Sample[], ns: string) =>
      samples.find((s) => s.name === 'workerhive_namespace_requests_total' && s.labels.namespace === ns && s.labels.outcome === 'ok' && s.labels.account === t.accountId)?.value
    // Counters reach the store with the watchdog's next probes: read until they are in.
    const samples = await until(
      async () => parsePrometheus((await metrics()).text),
      (s) => okOf(s, 'shop') === N && okOf(s, 'blog') === 1,
    )
    assert.equal(okOf(samples, 'shop'), N)
    assert.equal(okOf(samples, 'blog'), 1)
    for (const s of samples) {
      assert.ok(!('script' in s.labels), `${s.name} has a script label`)
      assert.ok(!Object.values(s.labels).some((v) => v === 'hello' || v === 'noisy'), `${s.name} names a script`)
    }
    const processes = (role: string, state: string) => samples.find((s) => s.name === 'workerhive_workerd_processes' && s.labels.role === role && s.labels.state === state)?.value
    assert.equal(processes('edge', 'ready'), t.platform.edge.processes().filter((p) => p.role === 'edge').length)
    for (const name of ['workerhive_watchdog_kills_total', 'workerhive_workerd_restarts_total', 'workerhive_contained_scripts', 'workerhive_store_operation_seconds_count', 'workerhive_internal_api_request_seconds_count']) {
      assert.ok(samples.some((s) => s.name === name), `${name} is exposed`)
    }
    assert.match((await metrics()).type ?? '', /^text\/plain; version=0\.0\.4/)
  })

  it('/metrics: loopback without credentials, an operator token, never a tenant token', async () => {
    assert.equal((await metrics()).status, 200)
    assert.equal((await metrics(t.token)).status, 200)
    const tenant = await t.otherAccount()
    const refused = await metrics(tenant.token)
    assert.equal(refused.status, 403)
    assert.equal(JSON.parse(refused.text).success, false)
    // A token that authenticates nothing is refused as on every route.
    const unknown = await metrics('not-a-token')
    assert.notEqual(unknown.status, 200)
    assert.equal(JSON.parse(unknown.text).success, false)
  })

  it('/healthz and /readyz answer without credentials; /readyz is 503 while an edge process is down', async () => {
    const health = await root('/healthz')
    assert.equal(health.status, 200)
    assert.deepEqual(await health.json(), { status: 'ok' })
    const ready = await root('/readyz')
    assert.equal(ready.status, 200)
    const body = (await ready.json()) as any
    assert.equal(body.ready, true)
    assert.equal(body.checks.edge.ok, true)
    assert.equal(body.checks.store.ok, true)

    const before = t.platform.edge.processes()[0]!
    t.platform.edge.kill(0)
    // Either we see it down, or it came back before we looked: both end the wait.
    const seen = await until(
      async () => ({ res: await root('/readyz').then(async (r) => ({ status: r.status, body: (await r.json()) as any })), now: t.platform.edge.processes()[0]! }),
      ({ res, now }) => res.status === 503 || (now.restarts > before.restarts && now.state === 'ready'),
    )
    if (seen.res.status === 503) {
      assert.equal(seen.res.body.ready, false)
      assert.equal(seen.res.body.checks.edge.ok, false)
      assert.equal(seen.res.body.checks.store.ok, true)
    }
    const back = await until(() => root('/readyz').then((r) => r.status), (s) => s === 200)
    assert.equal(back, 200)
  })

  it("a tenant's console.error with a multi-line stack is one record naming account, namespace and script", async () => {
    const mine = await until(
      async () => records.filter((r) => r.component === 'tenant' && r.script === 'noisy'),
      (found) => found.length > 0,
    )
    assert.equal(mine.length, 1, JSON.stringify(mine))
    const record = mine[0]!
    assert.equal(record.account, t.accountId)
    assert.equal(record.namespace, 'blog')
    assert.equal(record.level, 'warn')
    const msg = String(record.msg)
    assert.match(msg, /^checkout failed: Error: first line\nsecond line\n\s+at /)
    assert.ok(!records.some((r) => r !== record && String(r.msg).includes('second line')), 'no stack line is a record of its own')
    assert.ok(!records.some((r) => String(r.msg).includes('@whlog')), 'the console tag never reaches a record')
  })

  it("the host's line for an uncaught exception is one record with the script and the request's ray id", async () => {
    // The dispatcher does not catch a dispatch to a script that does not exist: it throws.
    const res = await edge(t, host, '/shop:missing/')
    assert.equal(res.status, 500)
    const ray = String(res.headers['cf-ray']).split('-')[0]
    const mine = await until(
      async () => records.filter((r) => r.component === 'tenant' && r.ray === ray),
      (found) => found.length > 0,
    )
    assert.equal(mine.length, 1, JSON.stringify(mine))
    assert.equal(mine[0]!.account, t.accountId)
    assert.equal(mine[0]!.script, 'dispatcher')
    assert.equal(mine[0]!.namespace, null)
    assert.match(String(mine[0]!.msg), /^uncaught exception: .*Worker not found/)
  })
})
