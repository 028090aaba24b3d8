import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { accountScriptPath, createNamespace, defaultHost, deployDispatcher, edge, namespaceScriptPath, putScript } from '../helpers/edge.js'
import { jsonBody, startTestPlatform, type TestPlatform } from '../helpers/platform.js'

// A Tail Worker that keeps each TraceItem it receives in KV under `<LABEL>:<request path>`.
const RECORD = `
    for (const e of events) {
      const path = e.event && e.event.request ? new URL(e.event.request.url).pathname : 'no-request'
      await env.TRACES.put(env.LABEL + ':' + path, JSON.stringify({ count: events.length, item: e }))
    }`
const COLLECTOR = `export default { async tail(events, env) { ${RECORD} } }`
// The same as a WorkerEntrypoint class, the other shape a default export can take.
const CLASS_COLLECTOR = `
import { WorkerEntrypoint } from 'cloudflare:workers'
export default class extends WorkerEntrypoint {
  async tail(events) { const env = this.env; ${RECORD} }
}
`
const PRODUCER = `
export default {
  async fetch(request) {
    const url = new URL(request.url)
    console.log('producer saw', url.pathname)
    console.warn({ level: 'warning' })
    if (url.pathname.endsWith('/throw')) throw new TypeError('producer exploded')
    return new Response('produced', { status: 201 })
  },
}
`

interface Recorded {
  count: number
  item: Record<string, any>
}

/** Tail Workers run after the response: wait (bounded) for what they leave behind. */
async function eventually<T>(read: () => Promise<T | undefined>, what: string): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const value = await read()
    if (value !== undefined) return value
    await new Promise((r) => setTimeout(r, 50))
  }
  assert.fail(`never happened: ${what}`)
}

describe('Tail Workers (tail_consumers) receive TraceItems after the producer ran', () => {
  let t: TestPlatform
  let traces: string
  let dispatcherHost: string

  const kvNamespace = async (title: string, as: { accountId: string; token: string }) => {
    const res = await t.json(`/accounts/${as.accountId}/storage/kv/namespaces`, { method: 'POST', token: as.token, ...jsonBody({ title }) })
    assert.equal(res.status, 200, JSON.stringify(res.body))
    return res.body.result.id as string
  }
  const collectorBindings = (kv: string, label: string) => [
    { type: 'kv_namespace', name: 'TRACES', namespace_id: kv },
    { type: 'plain_text', name: 'LABEL', text: label },
  ]
  const upload = async (path: string, code: string, metadata: Record<string, unknown>, token?: string) => {
    const res = await putScript(t, path, code, metadata, [], token)
    assert.equal(res.status, 200, JSON.stringify(res.body))
  }
  const recorded = (key: string): Promise<Recorded> =>
    eventually(async () => {
      const res = await t.json(`/accounts/${t.accountId}/storage/kv/namespaces/${traces}/values/${encodeURIComponent(key)}`)
      return res.status === 200 ? (res.body as Recorded) : undefined
    }, `a consumer recorded ${key}`)
  /** Workerhive's recent-logs endpoint: a traced script's own TraceItems. */
  const logsOf = async (script: string): Promise<Array<Record<string, any>>> =>
    (await t.json(`/accounts/${t.accountId}/workerhive/logs?script=${script}`)).body.result

  before(async () => {
    t = await startTestPlatform()
    traces = await kvNamespace('traces', t)
    await upload(accountScriptPath(t, 'collector'), COLLECTOR, { bindings: collectorBindings(traces, 'collector') })
    await createNamespace(t, 'tenants')
    await upload(namespaceScriptPath(t, 'tenants', 'ns-collector'), CLASS_COLLECTOR, { bindings: collectorBindings(traces, 'ns') })
    dispatcherHost = await deployDispatcher(t, 'tenants')
  })
  after(() => t?.close())

  it("sends an account script's fetch events, logs and exceptions in Cloudflare's TraceItem shape", async () => {
    await upload(accountScriptPath(t, 'producer'), PRODUCER, { tail_consumers: [{ service: 'collector' }] })
    const host = await defaultHost(t, 'producer')
    const produced = await edge(t, host, '/hello', { method: 'POST', body: 'x' })
    assert.deepEqual([produced.status, produced.text], [201, 'produced'])

    const { count, item } = await recorded('collector:/hello')
    assert.equal(count, 1)
    assert.equal(item.scriptName, 'producer')
    assert.equal(item.outcome, 'ok')
    assert.equal(item.event.request.method, 'POST')
    assert.equal(item.event.request.url, `http://${host}/hello`)
    assert.equal(item.event.request.headers.host, host)
    assert.equal(item.event.response.status, 201)
    assert.deepEqual(item.exceptions, [])
    assert.deepEqual(
      item.logs.map((l: { level: string; message: unknown[] }) => [l.level, l.message]),
      [
        ['log', ['producer saw', '/hello']],
        ['warn', [{ level: 'warning' }]],
      ],
    )
    assert.equal(typeof item.logs[0].timestamp, 'number')
    assert.equal(typeof item.eventTimestamp, 'number')
    assert.deepEqual(item.diagnosticsChannelEvents, [])
    assert.deepEqual([item.truncated, item.executionModel], [false, 'stateless'])
    assert.deepEqual([typeof item.cpuTime, typeof item.wallTime], ['number', 'number'])
    assert.deepEqual(item.scriptTags, [])
    assert.equal(typeof item.scriptVersion.id, 'string')
    assert.equal('dispatchNamespace' in item, false)
    assert.equal('entrypoint' in item, false)

    const thrown = await edge(t, host, '/throw')
    assert.equal(thrown.status, 500)
    const failed = (await recorded('collector:/throw')).item
    assert.equal(failed.outcome, 'exception')
    assert.equal(failed.event.response, undefined)
    assert.deepEqual(
      failed.exceptions.map((x: { name: string; message: string }) => [x.name, x.message]),
      [['TypeError', 'producer exploded']],
    )
    assert.equal(typeof failed.exceptions[0].timestamp, 'number')
  })

  it('sends a user Worker its own items, with its namespace and tags, to account and namespace consumers', async () => {
    await upload(namespaceScriptPath(t, 'tenants', 'tenant'), PRODUCER, {
      tags: ['blue'],
      tail_consumers: [{ service: 'collector' }, { service: 'ns-collector', namespace: 'tenants' }],
    })
    const res = await edge(t, dispatcherHost, '/tenant/page')
    assert.deepEqual([res.status, res.text], [201, 'produced'])
    for (const key of ['collector:/tenant/page', 'ns:/tenant/page']) {
      // One item: the dispatch Worker's own invocation goes to its consumers, not the user Worker's.
      const { count, item } = await recorded(key)
      assert.equal(count, 1, key)
      assert.deepEqual(
        [item.scriptName, item.dispatchNamespace, item.scriptTags, item.outcome, item.event.response.status],
        ['tenant', 'tenants', ['blue'], 'ok', 201],
        key,
      )
      assert.deepEqual(item.logs[0].message, ['producer saw', '/tenant/page'])
    }

    // Tags changed through the tags API are in the next item.
    const tagged = await t.json(`${namespaceScriptPath(t, 'tenants', 'tenant')}/tags`, { method: 'PUT', ...jsonBody(['green']) })
    assert.equal(tagged.status, 200, JSON.stringify(tagged.body))
    await edge(t, dispatcherHost, '/tenant/throw')
    const failed = (await recorded('collector:/tenant/throw')).item
    assert.deepEqual([failed.outcome, failed.scriptTags], ['exception', ['green']])
    assert.equal(failed.exceptions[0].message, 'producer exploded')
  })

  it("keeps the producer's response when a consumer throws, and reaches the consumers after it", async () => {
    // The failing consumer is traced, so its own item shows what happened to it.
    await upload(accountScriptPath(t, 'thrower'), 'export default { async tail() { throw new Error("consumer exploded") } }', {
      observability: { enabled: true },
    })
    await upload(namespaceScriptPath(t, 'tenants', 'fragile'), PRODUCER, {
      tail_consumers: [{ service: 'thrower' }, { service: 'collector' }],
    })
    const res = await edge(t, dispatcherHost, '/fragile/a')
    assert.deepEqual([res.status, res.text], [201, 'produced'])
    assert.equal((await recorded('collector:/fragile/a')).item.scriptName, 'fragile')

    const own = await eventually(async () => (await logsOf('thrower')).find((e) => e.outcome === 'exception'), 'the consumer reported its exception')
    assert.deepEqual(own.event, { consumedEvents: [{ scriptName: 'fragile' }] })
    assert.deepEqual([own.exceptions[0].name, own.exceptions[0].message], ['Error', 'consumer exploded'])
    assert.doesNotMatch(own.exceptions[0].stack, /__workerhive/)
    assert.equal('entrypoint' in own, false)
  })

  it('calls the tail() of a consumer under an old compatibility date, and never feeds a consumer its own tail events', async () => {
    // 2021-11-03 predates RPC: the handler is reached through the host's own entrypoint.
    const OLD = `export default {
      async fetch() { return new Response('old') },
      async tail(events) { console.log('consumed', events.map((e) => e.scriptName + ' ' + e.outcome).join()) },
    }`
    await upload(accountScriptPath(t, 'old-collector'), OLD, {
      compatibility_date: '2021-11-03',
      observability: { enabled: true },
      // It tails itself too: its fetch events reach it, its tail() invocations do not.
      tail_consumers: [{ service: 'old-collector' }],
    })
    await upload(accountScriptPath(t, 'old-producer'), PRODUCER, { tail_consumers: [{ service: 'old-collector' }] })
    assert.equal((await edge(t, await defaultHost(t, 'old-producer'), '/x')).status, 201)
    const consumedLine = (e: Record<string, any>) => e.logs?.[0]?.message?.join(' ')
    const fromProducer = await eventually(
      async () => (await logsOf('old-collector')).find((e) => consumedLine(e) === 'consumed old-producer ok'),
      'the old consumer logged the producer',
    )
    assert.deepEqual(fromProducer.event, { consumedEvents: [{ scriptName: 'old-producer' }] })

    assert.equal((await edge(t, await defaultHost(t, 'old-collector'), '/self')).text, 'old')
    await eventually(
      async () => (await logsOf('old-collector')).find((e) => consumedLine(e) === 'consumed old-collector ok'),
      'the consumer logged its own fetch event',
    )
    // Every tail() it ran was for a fetch event: none was for one of its own tail() invocations.
    const lines = (await logsOf('old-collector')).filter((e) => e.event?.consumedEvents).map(consumedLine)
    assert.deepEqual(lines.sort(), ['consumed old-collector ok', 'consumed old-producer ok'])
  })

  it("never calls another account's Worker, whatever the consumer's name", async () => {
    const other = await t.otherAccount()
    const theirs = await kvNamespace('spy-traces', other)
    const created = await t.json(`/accounts/${other.accountId}/workers/dispatch/namespaces`, { method: 'POST', token: other.token, ...jsonBody({ name: 'tenants' }) })
    assert.equal(created.status, 200, JSON.stringify(created.body))
    await upload(`/accounts/${other.accountId}/workers/scripts/spy`, COLLECTOR, { bindings: collectorBindings(theirs, 'spy') }, other.token)
    await upload(`/accounts/${other.accountId}/workers/dispatch/namespaces/tenants/scripts/spy`, COLLECTOR, { bindings: collectorBindings(theirs, 'ns-spy') }, other.token)

    await upload(accountScriptPath(t, 'lonely'), PRODUCER, {
      tail_consumers: [{ service: 'spy' }, { service: 'spy', namespace: 'tenants' }, { service: 'collector' }],
    })
    assert.equal((await edge(t, await defaultHost(t, 'lonely'), '/secret')).status, 201)
    assert.equal((await recorded('collector:/secret')).item.scriptName, 'lonely')
    // Consumers are called in the listed order, one after the other: the spies' turns are over.
    const keys = await t.json(`/accounts/${other.accountId}/storage/kv/namespaces/${theirs}/keys`, { token: other.token })
    assert.equal(keys.status, 200)
    assert.deepEqual(keys.body.result, [])
  })
})
