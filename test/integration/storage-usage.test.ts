import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { createNamespace, deployDispatcher, edge, namespaceScriptPath, putScript } from '../helpers/edge.js'
import { jsonBody, startTestPlatform, type TestPlatform } from '../helpers/platform.js'
import { eventually } from '../helpers/eventually.js'

/**
 * D1, R2, Durable Object and queue calls of a user Worker, through the real edge, read back from the
 * usage export: each figure is what the Worker did (D1's rows as its own `meta` told it), and every
 * binding call is one of its subrequests, under its subrequest limit.
 */
const ROUNDS = 3
/** Binding calls per round: 3 D1, 5 R2, 3 Durable Object, 1 queue. */
const CALLS = 12

const STORE = `
import { DurableObject } from 'cloudflare:workers'
export class Counter extends DurableObject {
  async fetch() { return new Response(String(await this.bump())) }
  async bump() {
    const n = ((await this.ctx.storage.get('n')) ?? 0) + 1
    await this.ctx.storage.put('n', n)
    return n
  }
  // Three rows in, read back: what the cursors themselves report.
  rows() {
    const sql = this.ctx.storage.sql
    const cursors = [sql.exec('CREATE TABLE IF NOT EXISTS r (x INTEGER)'), sql.exec('INSERT INTO r VALUES (1), (2), (3)'), sql.exec('SELECT x FROM r ORDER BY rowid DESC LIMIT 3')]
    const got = cursors[2].toArray().length
    return { got, read: cursors.reduce((n, c) => n + c.rowsRead, 0), written: cursors.reduce((n, c) => n + c.rowsWritten, 0) }
  }
}
export default {
  async fetch(request, env) {
    if (new URL(request.url).pathname.endsWith('/greedy')) {
      const out = []
      for (let i = 0; i < 5; i++) out.push(await env.B.head('x').then(() => 'ok', (e) => e.message))
      return Response.json(out)
    }
    const ins = await env.DB.prepare('INSERT INTO t (x) VALUES (?1), (?1)').bind(1).run()
    const cnt = await env.DB.prepare('SELECT count(*) AS n FROM t').all()
    const sum = await env.DB.prepare('SELECT x FROM t').all()
    await env.B.put('k', 'value')
    await (await env.B.get('k')).text()
    await env.B.head('k')
    await env.B.list()
    await env.B.delete('k')
    const stub = env.COUNTER.get(env.COUNTER.idFromName('one'))
    await (await stub.fetch('http://do/')).text()
    await stub.bump()
    const rows = await stub.rows()
    await env.JOBS.send({ at: Date.now() })
    const meta = [ins.meta, cnt.meta, sum.meta]
    return Response.json({ read: meta.reduce((n, m) => n + m.rows_read, 0), written: meta.reduce((n, m) => n + m.rows_written, 0), counted: cnt.results[0].n, rows })
  },
}
`

type Row = Record<string, number | string | null>

describe('usage metering of D1, R2, Durable Objects and Queues', () => {
  let t: TestPlatform
  let host: string
  let queueId: string
  let db: string
  /** D1's meta of the statement run through the REST API (counted per database, under no script). */
  let rest: { changed_db: boolean; rows_read: number; rows_written: number }
  /** What D1's meta told the Worker: rows read and written by its statements. */
  let read = 0
  let written = 0
  /** What the Durable Object's SQL cursors reported: rows read and written. */
  const sqlRows = { read: 0, written: 0 }

  before(async () => {
    t = await startTestPlatform({ usageFlushSeconds: 1 })
    await createNamespace(t, 'shop')
    host = await deployDispatcher(t, 'shop')
    db = (await t.json(`/accounts/${t.accountId}/d1/database`, { method: 'POST', ...jsonBody({ name: 'orders' }) })).body.result.uuid
    const created = await t.json(`/accounts/${t.accountId}/d1/database/${db}/query`, { method: 'POST', ...jsonBody({ sql: 'CREATE TABLE t (x INTEGER)' }) })
    rest = created.body.result[0].meta
    await t.json(`/accounts/${t.accountId}/r2/buckets`, { method: 'POST', ...jsonBody({ name: 'files' }) })
    queueId = (await t.json(`/accounts/${t.accountId}/queues`, { method: 'POST', ...jsonBody({ queue_name: 'jobs' }) })).body.result.queue_id
    await t.json(`/accounts/${t.accountId}/queues/${queueId}/consumers`, { method: 'POST', ...jsonBody({ type: 'http_pull' }) })
    const up = await putScript(t, namespaceScriptPath(t, 'shop', 'store'), STORE, {
      bindings: [
        { type: 'd1', name: 'DB', id: db },
        { type: 'r2_bucket', name: 'B', bucket_name: 'files' },
        { type: 'durable_object_namespace', name: 'COUNTER', class_name: 'Counter' },
        { type: 'queue', name: 'JOBS', queue_name: 'jobs' },
      ],
      migrations: { new_tag: 'v1', new_sqlite_classes: ['Counter'] },
    })
    assert.equal(up.status, 200, JSON.stringify(up.body))
    for (let i = 0; i < ROUNDS; i++) {
      const res = await edge(t, host, '/store')
      assert.equal(res.status, 200, res.text)
      const used = JSON.parse(res.text) as { read: number; written: number; counted: number; rows: { got: number; read: number; written: number } }
      read += used.read
      written += used.written
      assert.equal(used.rows.got, 3)
      sqlRows.read += used.rows.read
      sqlRows.written += used.rows.written
      assert.equal(used.counted, 2 * (i + 1))
    }
  })
  after(() => t?.close())

  const exported = async (): Promise<Row[]> => (await t.json(`/accounts/${t.accountId}/workers/usage?group_by=script`)).body.result as Row[]
  const storeRow = async (): Promise<Row | undefined> => (await exported()).find((r) => r['script'] === 'store')

  it('exports per script what its binding calls used, as Cloudflare bills it', async () => {
    // The queue's writes reach the records with the next flush; the edge's with the next probe.
    const row = await eventually(storeRow, (r) => r?.['queue_writes'] === ROUNDS && r?.['do_requests'] === 3 * ROUNDS && r?.['d1_queries'] === 3 * ROUNDS)
    assert.ok(written === 2 * ROUNDS && read > 0, `D1 meta: ${read} read, ${written} written`)
    assert.deepEqual(
      Object.fromEntries(['d1_queries', 'd1_rows_read', 'd1_rows_written', 'r2_class_a', 'r2_class_b', 'do_requests', 'queue_writes', 'subrequests'].map((k) => [k, row![k]])),
      {
        d1_queries: 3 * ROUNDS,
        d1_rows_read: read,
        d1_rows_written: written,
        // put and list are class A, get and head class B, delete is free.
        r2_class_a: 2 * ROUNDS,
        r2_class_b: 2 * ROUNDS,
        do_requests: 3 * ROUNDS,
        queue_writes: ROUNDS,
        subrequests: CALLS * ROUNDS,
      },
    )
    assert.ok(Number(row!['do_wall_time_us']) > 0)
  })

  it("counts a Durable Object's storage rows as its cursors report them, and a KV key as a row", async () => {
    assert.ok(sqlRows.written >= 3 * ROUNDS && sqlRows.read >= 3 * ROUNDS, `cursors: ${JSON.stringify(sqlRows)}`)
    // Each round's KV calls: fetch() and bump() each get one key and put one. The host takes the
    // rows after the call's answer left, so they may come with a later flush.
    const expected = [sqlRows.read + 2 * ROUNDS, sqlRows.written + 2 * ROUNDS]
    const row = await eventually(storeRow, (r) => r?.['do_rows_read'] === expected[0] && r?.['do_rows_written'] === expected[1])
    assert.deepEqual([row!['do_rows_read'], row!['do_rows_written']], expected)
    const query = `query ($tag: string) { viewer { accounts(filter: { accountTag: $tag }) {
      durableObjectsPeriodicGroups(limit: 10, orderBy: [sum_rowsRead_DESC]) { sum { rowsRead rowsWritten activeTime } dimensions { scriptName } }
    } } }`
    const res = await t.json('/graphql', { method: 'POST', ...jsonBody({ query, variables: { tag: t.accountId } }) })
    assert.equal(res.body.errors, null, JSON.stringify(res.body.errors))
    const [group] = res.body.data.viewer.accounts[0].durableObjectsPeriodicGroups
    assert.deepEqual(group.sum, { rowsRead: row!['do_rows_read'], rowsWritten: row!['do_rows_written'], activeTime: row!['do_wall_time_us'] })
    assert.equal(group.dimensions.scriptName, 'store')
  })

  it("answers Cloudflare's durableObjectsInvocationsAdaptiveGroups per script from the same records", async () => {
    const query = `query ($tag: string, $since: Time) { viewer { accounts(filter: { accountTag: $tag }) {
      durableObjectsInvocationsAdaptiveGroups(limit: 10, filter: { datetime_geq: $since }, orderBy: [sum_requests_DESC]) { sum { requests wallTime } dimensions { scriptName } }
    } } }`
    const res = await t.json('/graphql', { method: 'POST', ...jsonBody({ query, variables: { tag: t.accountId, since: new Date(Date.now() - 3_600_000).toISOString() } }) })
    assert.equal(res.body.errors, null, JSON.stringify(res.body.errors))
    const groups = res.body.data.viewer.accounts[0].durableObjectsInvocationsAdaptiveGroups as Array<{ sum: { requests: number; wallTime: number }; dimensions: { scriptName: string } }>
    assert.deepEqual(groups.map((g) => [g.dimensions.scriptName, g.sum.requests]), [['store', 3 * ROUNDS]])
    assert.ok(groups[0]!.sum.wallTime > 0)
  })

  const graphql = async (dataset: string, fields: string): Promise<Array<{ sum: Record<string, number>; dimensions: Record<string, string> }>> => {
    const query = `query ($tag: string) { viewer { accounts(filter: { accountTag: $tag }) { ${dataset}(limit: 100, orderBy: [actionType_ASC]) { ${fields} } } } }`
    const res = await t.json('/graphql', { method: 'POST', ...jsonBody({ query: dataset.startsWith('d1') ? query.replace(', orderBy: [actionType_ASC]', '') : query, variables: { tag: t.accountId } }) })
    assert.equal(res.body.errors, null, JSON.stringify(res.body.errors))
    return res.body.data.viewer.accounts[0][dataset]
  }

  it("answers Cloudflare's per-database and per-bucket datasets (d1AnalyticsAdaptiveGroups, r2OperationsAdaptiveGroups)", async () => {
    const d1 = await graphql('d1AnalyticsAdaptiveGroups', 'sum { readQueries writeQueries rowsRead rowsWritten } dimensions { databaseId }')
    const restWrite = rest.changed_db ? 1 : 0
    assert.deepEqual(d1, [
      {
        sum: { readQueries: 2 * ROUNDS + 1 - restWrite, writeQueries: ROUNDS + restWrite, rowsRead: read + rest.rows_read, rowsWritten: written + rest.rows_written },
        dimensions: { databaseId: db },
      },
    ])
    const r2 = await graphql('r2OperationsAdaptiveGroups', 'sum { requests } dimensions { bucketName actionType }')
    assert.deepEqual(
      r2.map((g) => [g.dimensions['bucketName'], g.dimensions['actionType'], g.sum['requests']]),
      ['DeleteObject', 'GetObject', 'HeadObject', 'ListObjects', 'PutObject'].map((a) => ['files', a, ROUNDS]),
    )
  })

  it('counts the reads and acks of an HTTP pull consumer under the account (script "")', async () => {
    const pulled = (await t.json(`/accounts/${t.accountId}/queues/${queueId}/messages/pull`, { method: 'POST', ...jsonBody({ batch_size: 10 }) })).body.result.messages as Array<{ lease_id: string }>
    assert.equal(pulled.length, ROUNDS)
    await t.json(`/accounts/${t.accountId}/queues/${queueId}/messages/ack`, { method: 'POST', ...jsonBody({ acks: pulled.map((m) => ({ lease_id: m.lease_id })) }) })
    const rest = await eventually(
      async () => (await exported()).find((r) => r['script'] === '' && r['dispatch_namespace'] === null),
      (r) => r?.['queue_reads'] === ROUNDS && r?.['queue_deletes'] === ROUNDS,
    )
    assert.equal(rest?.['requests'], 0)
    const ops = await graphql('queueMessageOperationsAdaptiveGroups', 'sum { billableOperations } dimensions { queueId actionType }')
    assert.deepEqual(
      ops.map((g) => [g.dimensions['queueId'], g.dimensions['actionType'], g.sum['billableOperations']]),
      ['DeleteMessage', 'ReadMessage', 'WriteMessage'].map((a) => [queueId, a, ROUNDS]),
    )
  })

  it('puts binding calls under the subrequest limit a dispatch gives', async () => {
    const res = await edge(t, host, '/store/greedy?subrequests=3')
    assert.deepEqual(JSON.parse(res.text), ['ok', 'ok', 'ok', 'Too many subrequests.', 'Too many subrequests.'])
  })
})
