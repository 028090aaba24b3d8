import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { after, before, describe, it } from 'node:test'
import { accountScriptPath, createNamespace, deployDispatcher, edge, namespaceScriptPath, putScript } from '../helpers/edge.js'
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js'
import { eventually } from '../helpers/eventually.js'

/**
 * A known workload through the real edge (dispatch Worker → user Workers), read back through
 * GraphQL, the usage export and /metrics, then again after a restart.
 */
const HELLO = 10
const THROWS = 3
const BURNS = 8
const KV_CALLS = 2
/** Iterations of the burner's loop: about 50 ms of CPU per request on the machines tests run on. */
const BURN_ITERATIONS = 2_000_000

/**
 * Burns a fixed amount of work (not a time: on a loaded machine a clock-bound loop burns less CPU
 * than it waits), so the CPU it really used can be read from /proc and compared with the meter.
 */
const BURNER = `
function burn(n) { let x = 0; for (let i = 0; i < n; i++) { x = (x * 31 + i) | 0 } return x }
export default { fetch() { return new Response('burned ' + burn(${BURN_ITERATIONS})) } }
`

/** CPU time of the edge's workerd JS threads (where all JS runs), in ms, from /proc schedstat (ns). */
function workerdCpuMs(t: TestPlatform): number {
  let ns = 0
  for (const p of t.platform.edge.processes()) {
    for (const pid of p.pid ? workerdPids(p.pid) : []) ns += Number(readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8').split(' ')[0])
  }
  return ns / 1e6
}

/** workerd itself among a process and its descendants (in a sandbox it is a grandchild of the pid held). */
function workerdPids(pid: number): number[] {
  if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'workerd') return [pid]
  const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(' ').filter(Boolean).map(Number)
  return children.flatMap(workerdPids)
}

/** A queue consumer burning twice the burner's work per batch (so the delivery's own CPU weighs less). */
const QUEUE_BURNER = `
function burn(n) { let x = 0; for (let i = 0; i < n; i++) { x = (x * 31 + i) | 0 } return x }
export default { queue(batch) { burn(${2 * BURN_ITERATIONS}); batch.ackAll() } }
`

const KV_USER = `
export default {
  async fetch(request, env) {
    await env.KV.put('k', 'v')
    await env.KV.get('k')
    await env.KV.get('missing')
    await env.KV.list()
    await env.KV.delete('k')
    return new Response('kv done')
  },
}
`

// Cloudflare's "Querying Workers Metrics with GraphQL" tutorial, verbatim (its variable types included).
const TUTORIAL_QUERY =
  'query GetWorkersAnalytics($accountTag: string, $datetimeStart: string, $datetimeEnd: string, $scriptName: string) { viewer { accounts(filter: {accountTag: $accountTag}) { workersInvocationsAdaptive(limit: 100, filter: { scriptName: $scriptName, datetime_geq: $datetimeStart, datetime_leq: $datetimeEnd }) { sum { subrequests requests errors } quantiles { cpuTimeP50 cpuTimeP99 } dimensions{ datetime scriptName status } } } } }'

// Usage of a dispatch namespace's scripts, as the WfP docs describe it (dispatchNamespaceName).
const NAMESPACE_QUERY = `query NamespaceUsage($accountTag: string!, $ns: string!, $start: Time!, $end: Time!) {
  viewer {
    accounts(filter: { accountTag: $accountTag }) {
      workersInvocationsAdaptive(limit: 1000, filter: { dispatchNamespaceName: $ns, datetime_geq: $start, datetime_leq: $end }, orderBy: [scriptName_ASC]) {
        sum { requests errors subrequests wallTime cpuTime }
        quantiles { cpuTimeP50 cpuTimeP99 wallTimeP50 wallTimeP99 }
        dimensions { scriptName dispatchNamespaceName }
      }
    }
  }
}`

interface Group {
  sum: Record<string, number>
  quantiles: Record<string, number>
  dimensions: Record<string, string>
}

describe('usage metering: a known workload through the edge, read back through GraphQL, the export and /metrics', () => {
  let t: TestPlatform
  let restarted: TestPlatform | undefined
  let host: string
  /** The burner's real CPU per request, from /proc. */
  let burnedMs = 0
  const start = new Date(Date.now() - 60_000).toISOString()

  before(async () => {
    t = await startTestPlatform({ usageFlushSeconds: 1 })
    await createNamespace(t, 'tenants')
    host = await deployDispatcher(t, 'tenants')
    const kv = await t.json(`/accounts/${t.accountId}/storage/kv/namespaces`, { method: 'POST', body: JSON.stringify({ title: 'usage-kv' }), headers: { 'content-type': 'application/json' } })
    await putScript(t, namespaceScriptPath(t, 'tenants', 'hello'), `export default { fetch() { return new Response('hello') } }`, { tags: ['customer-a'] })
    await putScript(t, namespaceScriptPath(t, 'tenants', 'thrower'), `export default { fetch() { throw new Error('boom') } }`, { tags: ['customer-a'] })
    await putScript(t, namespaceScriptPath(t, 'tenants', 'burner'), BURNER, { tags: ['customer-b'] })
    await putScript(t, namespaceScriptPath(t, 'tenants', 'kvuser'), KV_USER, { bindings: [{ type: 'kv_namespace', name: 'KV', namespace_id: kv.body.result.id }] })
    // Warm both isolates, so neither phase below pays a load.
    assert.equal((await edge(t, host, '/hello')).text, 'hello')
    assert.match((await edge(t, host, '/burner')).text, /^burned/)
    // What a request costs beyond its Worker's own CPU (host, dispatch Worker), then the burners.
    const helloFrom = workerdCpuMs(t)
    for (let i = 1; i < HELLO; i++) assert.equal((await edge(t, host, '/hello')).text, 'hello')
    const perRequestMs = (workerdCpuMs(t) - helloFrom) / (HELLO - 1)
    const burnFrom = workerdCpuMs(t)
    for (let i = 1; i < BURNS; i++) assert.match((await edge(t, host, '/burner')).text, /^burned/)
    burnedMs = (workerdCpuMs(t) - burnFrom - perRequestMs * (BURNS - 1)) / (BURNS - 1)
    for (let i = 0; i < THROWS; i++) assert.equal((await edge(t, host, '/thrower')).status, 502)
    for (let i = 0; i < KV_CALLS; i++) assert.equal((await edge(t, host, '/kvuser')).text, 'kv done')
  })
  after(async () => {
    await restarted?.close()
    await t?.close()
  })

  const graphql = (p: TestPlatform, query: string, variables: Record<string, unknown> = {}, token?: string) =>
    p.json('/graphql', { method: 'POST', body: JSON.stringify({ query, variables }), headers: { 'content-type': 'application/json' }, ...(token ? { token } : {}) })
  const end = () => new Date(Date.now() + 60_000).toISOString()
  const byScript = async (p: TestPlatform): Promise<Map<string, Group>> => {
    const res = await graphql(p, NAMESPACE_QUERY, { accountTag: p.accountId, ns: 'tenants', start, end: end() })
    assert.equal(res.status, 200)
    assert.equal(res.body.errors, null, JSON.stringify(res.body.errors))
    return new Map((res.body.data.viewer.accounts[0].workersInvocationsAdaptive as Group[]).map((g) => [g.dimensions['scriptName']!, g]))
  }
  const complete = (m: Map<string, Group>) =>
    m.get('hello')?.sum['requests'] === HELLO && m.get('thrower')?.sum['requests'] === THROWS && m.get('burner')?.sum['requests'] === BURNS && m.get('kvuser')?.sum['requests'] === KV_CALLS

  it('counts requests and errors per script of the namespace (the WfP query)', async () => {
    const scripts = await eventually(() => byScript(t), complete)
    assert.deepEqual(
      [...scripts.values()].map((g) => [g.dimensions['scriptName'], g.dimensions['dispatchNamespaceName'], g.sum['requests'], g.sum['errors']]),
      [
        ['burner', 'tenants', BURNS, 0],
        ['hello', 'tenants', HELLO, 0],
        ['kvuser', 'tenants', KV_CALLS, 0],
        ['thrower', 'tenants', THROWS, THROWS],
      ],
    )
    for (const g of scripts.values()) assert.ok(g.sum['wallTime']! > 0, `${g.dimensions['scriptName']} has wall time`)
  })

  it('meters the CPU of a Worker burning ~50 ms per request within ±20 % of what /proc says it used', async () => {
    assert.ok(burnedMs > 25 && burnedMs < 150, `the burner used ${burnedMs} ms of CPU per request (/proc)`)
    // The host collects an isolate's CPU time moments after its requests are counted.
    const burnerMetered = (m: Map<string, Group>) => complete(m) && Math.abs(m.get('burner')!.sum['cpuTime']! / BURNS / 1000 - burnedMs) <= burnedMs * 0.2
    const scripts = await eventually(() => byScript(t), burnerMetered)
    const burner = scripts.get('burner')!
    const meteredMs = burner.sum['cpuTime']! / BURNS / 1000
    assert.ok(Math.abs(meteredMs - burnedMs) <= burnedMs * 0.2, `metered ${meteredMs} ms per request, /proc says ${burnedMs} ms`)
    const p50Ms = burner.quantiles['cpuTimeP50']! / 1000
    assert.ok(Math.abs(p50Ms - burnedMs) <= burnedMs * 0.2, `cpuTimeP50 ${p50Ms} ms, /proc says ${burnedMs} ms`)
    assert.ok(scripts.get('hello')!.sum['cpuTime']! < 5000 * HELLO, 'a hello world uses a few ms at most')
  })

  it("runs Cloudflare's tutorial query unchanged", async () => {
    const res = await graphql(t, TUTORIAL_QUERY, { accountTag: t.accountId, datetimeStart: start, datetimeEnd: end(), scriptName: 'thrower' })
    assert.equal(res.status, 200)
    assert.equal(res.body.errors, null, JSON.stringify(res.body.errors))
    const groups = res.body.data.viewer.accounts[0].workersInvocationsAdaptive as Group[]
    assert.ok(groups.length >= 1)
    assert.deepEqual([...new Set(groups.map((g) => [g.dimensions['scriptName'], g.dimensions['status']].join(' ')))], ['thrower scriptThrewException'])
    assert.equal(groups.reduce((n, g) => n + g.sum['requests']!, 0), THROWS)
    assert.match(groups[0]!.dimensions['datetime']!, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:00Z$/)
  })

  it('counts the KV operations and subrequests of a script', async () => {
    const res = await t.json(`/accounts/${t.accountId}/workers/usage?group_by=script`)
    assert.equal(res.status, 200)
    const kv = res.body.result.find((r: { script: string }) => r.script === 'kvuser')
    assert.deepEqual(
      { reads: kv.kv_reads, writes: kv.kv_writes, lists: kv.kv_lists, deletes: kv.kv_deletes },
      { reads: 2 * KV_CALLS, writes: KV_CALLS, lists: KV_CALLS, deletes: KV_CALLS },
    )
  })

  it('exports usage per script and per tag, as JSON and CSV', async () => {
    const json = await t.json(`/accounts/${t.accountId}/workers/usage?group_by=script`)
    const row = (script: string) => json.body.result.find((r: { script: string }) => r.script === script)
    assert.equal(row('hello').requests, HELLO)
    assert.equal(row('thrower').errors, THROWS)
    assert.equal(row('thrower').outcomes.exception, THROWS)
    assert.equal(row('burner').dispatch_namespace, 'tenants')
    assert.ok(Math.abs(row('burner').cpu_time_us / BURNS / 1000 - burnedMs) <= burnedMs * 0.2)

    const tags = await t.json(`/accounts/${t.accountId}/workers/usage?group_by=tag`)
    const tag = (name: string | null) => tags.body.result.find((r: { tag: string | null }) => r.tag === name)
    assert.equal(tag('customer-a').requests, HELLO + THROWS)
    assert.equal(tag('customer-b').requests, BURNS)

    const csv = await t.api(`/accounts/${t.accountId}/workers/usage?group_by=script&format=csv`)
    assert.match(csv.headers.get('content-type') ?? '', /^text\/csv/)
    const lines = (await csv.text()).trim().split('\r\n')
    assert.match(lines[0]!, /^date,dispatch_namespace,script,requests,errors,outcome_ok,/)
    assert.ok(lines.some((l) => new RegExp(`^\\d{4}-\\d{2}-\\d{2},tenants,hello,${HELLO},0,${HELLO},`).test(l)), lines.join('\n'))

    const bad = await t.json(`/accounts/${t.accountId}/workers/usage?group_by=colour`)
    assert.equal(bad.status, 400)
    assert.equal(bad.body.success, false)
  })

  it('answers bad GraphQL with GraphQL errors, never a 5xx', async () => {
    const other = await t.otherAccount()
    const cases: Array<[string, string, Record<string, unknown>]> = [
      ['syntax', '{ viewer { accounts(filter: {accountTag: "x"} { ', {}],
      ['unknown field', `{ viewer { accounts(filter: {accountTag: "${t.accountId}"}) { workersInvocationsAdaptive(limit: 1) { sum { bananas } } } } }`, {}],
      ['another account', NAMESPACE_QUERY, { accountTag: other.accountId, ns: 'tenants', start, end: end() }],
      ['huge range', NAMESPACE_QUERY, { accountTag: t.accountId, ns: 'tenants', start: '2000-01-01T00:00:00Z', end: end() }],
      ['bad time', NAMESPACE_QUERY, { accountTag: t.accountId, ns: 'tenants', start: 'yesterday', end: end() }],
      ['limit too big', `{ viewer { accounts(filter: {accountTag: "${t.accountId}"}) { workersInvocationsAdaptive(limit: 1000000) { sum { requests } } } } }`, {}],
    ]
    for (const [what, query, variables] of cases) {
      const res = await graphql(t, query, variables)
      assert.equal(res.status, 200, what)
      assert.equal(res.body.data, null, what)
      assert.ok(Array.isArray(res.body.errors) && res.body.errors.length > 0 && typeof res.body.errors[0].message === 'string', `${what}: ${JSON.stringify(res.body)}`)
    }
    // The other account, asking about itself with its own token, sees none of this account's usage.
    const own = await graphql(t, NAMESPACE_QUERY, { accountTag: other.accountId, ns: 'tenants', start, end: end() }, other.token)
    assert.deepEqual(own.body.data.viewer.accounts[0].workersInvocationsAdaptive, [])
  })

  it('shows the same request counts in /metrics', async () => {
    const text = await (await fetch(`http://127.0.0.1:${t.platform.apiPort}/metrics`, { headers: { authorization: `Bearer ${t.token}` } })).text()
    const total = (outcome: string): number => {
      const line = text
        .split('\n')
        .find((l) => l.startsWith('workerhive_namespace_requests_total{') && l.includes(`account="${t.accountId}"`) && l.includes('namespace="tenants"') && l.includes(`outcome="${outcome}"`))
      return Number(line?.split(' ').pop() ?? 0)
    }
    assert.equal(total('ok'), HELLO + BURNS + KV_CALLS)
    assert.equal(total('exception'), THROWS)
  })

  it('meters the CPU of queue consumer invocations too', async () => {
    const json = (body: unknown) => ({ method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } })
    const queue = (await t.json(`/accounts/${t.accountId}/queues`, json({ queue_name: 'burns' }))).body.result
    assert.equal((await putScript(t, accountScriptPath(t, 'qburner'), QUEUE_BURNER)).status, 200)
    const consumer = await t.json(`/accounts/${t.accountId}/queues/${queue.queue_id}/consumers`, json({ type: 'worker', script_name: 'qburner', settings: { batch_size: 1, max_wait_time_ms: 0 } }))
    assert.equal(consumer.status, 200, JSON.stringify(consumer.body))
    const send = async (body: string) => assert.equal((await t.json(`/accounts/${t.accountId}/queues/${queue.queue_id}/messages`, json({ body }))).status, 200)
    type Row = { requests: number; cpu_time_us: number } | undefined
    const usage = async (): Promise<Row> => (await t.json(`/accounts/${t.accountId}/workers/usage?group_by=script`)).body.result.find((r: { script: string }) => r.script === 'qburner')
    // A first batch loads the isolate and runs the loop cold, as the burner's warm-up request did.
    await send('warm-up')
    const warm = await eventually(usage, (r) => r?.requests === 1 && r.cpu_time_us > 0)
    assert.equal(warm?.requests, 1)
    // What the two batches really used: the workerd threads' CPU while they were delivered (the
    // delivery's own work is in it too, a few per cent).
    const cpuFrom = workerdCpuMs(t)
    for (let i = 0; i < 2; i++) await send(`m${i}`)
    assert.equal((await eventually(usage, (r) => r?.requests === 3))?.requests, 3)
    const procMs = (workerdCpuMs(t) - cpuFrom) / 2
    const perBatchMs = (r: Row) => (r!.cpu_time_us - warm!.cpu_time_us) / 2 / 1000
    const within = (r: Row) => r?.requests === 3 && Math.abs(perBatchMs(r) - procMs) <= procMs * 0.2
    const row = await eventually(usage, within)
    assert.ok(within(row), `metered ${perBatchMs(row)} ms per warm batch (${JSON.stringify(row)}), /proc says ${procMs} ms`)
  })

  it('counts an invocation the watchdog killed for CPU as exceededResources (the process is gone, Node counts its suspect)', async () => {
    await putScript(t, namespaceScriptPath(t, 'tenants', 'looper'), `export default { fetch() { while (true) {} } }`)
    const killsBefore = t.platform.edge.watchdog.kills
    // In the shared pool a kill closes the connection (docs/limits.md): no answer at all.
    await assert.rejects(edge(t, host, '/looper'))
    assert.equal(t.platform.edge.watchdog.kills, killsBefore + 1)
    const scripts = await eventually(() => byScript(t), (m) => m.get('looper')?.sum['requests'] === 1)
    assert.deepEqual([scripts.get('looper')?.sum['requests'], scripts.get('looper')?.sum['errors']], [1, 1])
  })

  it('keeps every figure across a restart', async () => {
    const before = await byScript(t)
    await t.platform.stop()
    restarted = await startTestPlatform({ dataDir: t.dataDir })
    const afterRestart = await byScript(restarted)
    assert.deepEqual(afterRestart, before)
  })
})
