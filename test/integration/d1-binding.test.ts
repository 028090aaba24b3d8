import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { createNamespace, deployDispatcher, edge, namespaceScriptPath, putScript } from '../helpers/edge.js'
import { eventually } from '../helpers/eventually.js'
import { jsonBody, startTestPlatform, type TestPlatform } from '../helpers/platform.js'

// The d1 binding in a user Worker of a dispatch namespace, inside real workerd, sharing its
// database with the REST API both ways; bad input gets D1's errors and changes nothing.
const WORKER = `
export default {
  async fetch(request, env) {
    const url = new URL(request.url)
    const op = url.pathname.split('/')[2]
    const q = (k) => url.searchParams.get(k)
    const run = async () => {
      switch (op) {
        case 'add': return (await env.DB.prepare('INSERT INTO notes (body, flag, data) VALUES (?1, ?2, ?3)').bind(q('body'), true, new Uint8Array([1, 2, 255])).run()).meta
        case 'first': return env.DB.prepare('SELECT body, flag, data FROM notes WHERE id = ?').bind(Number(q('id'))).first()
        case 'first-col': return env.DB.prepare('SELECT body FROM notes WHERE id = ?').bind(Number(q('id'))).first(q('col'))
        case 'all': return (await env.DB.prepare('SELECT id, body FROM notes ORDER BY id').all()).results
        case 'raw': return env.DB.prepare('SELECT id, body FROM notes ORDER BY id LIMIT 1').raw({ columnNames: true })
        case 'batch': return (await env.DB.batch([
          env.DB.prepare('INSERT INTO notes (body) VALUES (?)').bind('batched'),
          env.DB.prepare(q('second') ?? 'SELECT count(*) AS n FROM notes'),
        ])).map((r) => r.results)
        case 'exec': return env.DB.exec(q('sql'))
        case 'session': {
          const s = env.DB.withSession('first-primary')
          const before = s.getBookmark()
          await s.prepare('SELECT 1').all()
          return { before, after: typeof s.getBookmark() }
        }
        case 'sql': return (await env.DB.prepare(q('sql')).all()).results
        case 'bind-undefined': return env.DB.prepare('SELECT ?').bind(undefined).all()
      }
    }
    try { return Response.json({ ok: true, value: (await run()) ?? null }) }
    catch (e) { return Response.json({ ok: false, error: e.message }) }
  },
}`

describe('D1 binding in a dispatch namespace user Worker', () => {
  let t: TestPlatform
  let host: string
  let db: string

  before(async () => {
    t = await startTestPlatform()
    const created = await t.json(`/accounts/${t.accountId}/d1/database`, { method: 'POST', ...jsonBody({ name: 'notes-db' }) })
    assert.equal(created.status, 200, JSON.stringify(created.body))
    db = created.body.result.uuid
    await rest('CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL, flag INTEGER, data BLOB)')
    await createNamespace(t, 'customers')
    const up = await putScript(t, namespaceScriptPath(t, 'customers', 'notes'), WORKER, { bindings: [{ type: 'd1', name: 'DB', id: db }] })
    assert.equal(up.status, 200, JSON.stringify(up.body))
    host = await deployDispatcher(t, 'customers')
  })
  after(() => t.close())

  async function rest(sql: string, params: unknown[] = []) {
    const r = await t.json(`/accounts/${t.accountId}/d1/database/${db}/query`, { method: 'POST', ...jsonBody({ sql, params }) })
    return r
  }
  const rows = async (sql: string) => {
    const r = await rest(sql)
    assert.equal(r.status, 200, JSON.stringify(r.body))
    return r.body.result[0].results as Array<Record<string, unknown>>
  }
  const call = async (op: string, query: Record<string, string> = {}) => {
    const res = await edge(t, host, `/notes/${op}?${new URLSearchParams(query)}`)
    return JSON.parse(res.text) as { ok: boolean; value?: any; error?: string }
  }

  it('writes through the binding what /query then reads, with D1\'s meta and type mapping', async () => {
    const added = await call('add', { body: 'from the worker' })
    assert.equal(added.ok, true, JSON.stringify(added))
    assert.equal(added.value.changes, 1)
    assert.equal(added.value.last_row_id, 1)
    assert.equal(added.value.rows_written, 1)
    assert.equal(added.value.changed_db, true)
    assert.ok(added.value.size_after > 0 && typeof added.value.duration === 'number')
    assert.deepEqual(await rows('SELECT id, body, flag, hex(data) AS data FROM notes'), [{ id: 1, body: 'from the worker', flag: 1, data: '0102FF' }])
  })

  it('reads through the binding what /query wrote: first, first(column), all, raw', async () => {
    await rest('INSERT INTO notes (body) VALUES (?)', ['from REST'])
    assert.deepEqual((await call('first', { id: '1' })).value, { body: 'from the worker', flag: 1, data: [1, 2, 255] })
    assert.equal((await call('first-col', { id: '2', col: 'body' })).value, 'from REST')
    assert.deepEqual((await call('first', { id: '99' })).value, null)
    assert.deepEqual((await call('all')).value, [{ id: 1, body: 'from the worker' }, { id: 2, body: 'from REST' }])
    assert.deepEqual((await call('raw')).value, [['id', 'body'], [1, 'from the worker']])
    assert.deepEqual(await call('first-col', { id: '2', col: 'nope' }), { ok: false, error: 'D1_COLUMN_NOTFOUND: Column not found (nope)' })
  })

  it('batch() is one transaction: a failing statement undoes the whole batch', async () => {
    const okBatch = await call('batch')
    assert.equal(okBatch.ok, true, JSON.stringify(okBatch))
    assert.deepEqual(okBatch.value[1], [{ n: 3 }])
    const failed = await call('batch', { second: 'INSERT INTO nowhere VALUES (1)' })
    assert.deepEqual(failed, { ok: false, error: 'D1_ERROR: no such table: nowhere: SQLITE_ERROR' })
    assert.equal((await rows("SELECT count(*) AS n FROM notes WHERE body = 'batched'"))[0]!.n, 1)
  })

  it('exec() runs line by line and names the failing line; withSession() keeps a bookmark', async () => {
    const done = await call('exec', { sql: "INSERT INTO notes (body) VALUES ('e1')\nINSERT INTO notes (body) VALUES ('e2')" })
    assert.equal(done.value.count, 2, JSON.stringify(done))
    const failed = await call('exec', { sql: 'SELECT 1\nSELEC 2' })
    assert.equal(failed.ok, false)
    assert.match(failed.error!, /^D1_EXEC_ERROR: Error in line 2: SELEC 2: near "SELEC": syntax error/)
    assert.deepEqual((await call('session')).value, { before: null, after: 'string' })
  })

  it('refuses what D1 forbids and undefined values, changing nothing', async () => {
    assert.deepEqual(await call('sql', { sql: "ATTACH DATABASE '/etc/passwd' AS x" }), { ok: false, error: 'D1_ERROR: not authorized: SQLITE_AUTH' })
    assert.deepEqual(await call('sql', { sql: 'PRAGMA writable_schema = ON' }), { ok: false, error: 'D1_ERROR: not authorized: SQLITE_AUTH' })
    assert.deepEqual(await call('bind-undefined'), { ok: false, error: "D1_TYPE_ERROR: Type 'undefined' not supported for value 'undefined'" })
    const bad = await rest('DELETE FROM notes; SELECT * FROM nowhere')
    assert.equal(bad.status, 400)
    assert.deepEqual(bad.body.errors, [{ code: 7500, message: 'no such table: nowhere: SQLITE_ERROR' }])
    assert.equal((await rows('SELECT count(*) AS n FROM notes'))[0]!.n, 5)
  })

  it('another account can neither query the database nor bind it', async () => {
    const other = await t.otherAccount()
    const foreign = await t.json(`/accounts/${other.accountId}/d1/database/${db}/query`, { method: 'POST', token: other.token, ...jsonBody({ sql: 'DELETE FROM notes' }) })
    assert.equal(foreign.status, 404)
    assert.equal(foreign.body.errors[0].code, 7404)
    const upload = await putScript(t, `/accounts/${other.accountId}/workers/scripts/thief`, WORKER, { bindings: [{ type: 'd1', name: 'DB', id: db }] }, [], other.token)
    assert.equal(upload.status, 400, JSON.stringify(upload.body))
    assert.match(upload.body.errors[0].message, /does not exist in this account/)
    assert.equal((await rows('SELECT count(*) AS n FROM notes'))[0]!.n, 5)
  })

  // Last: the runaway queries hold their engine processes until D1's 30 s limit or the platform stops.
  it('another tenant’s runaway queries, on two of its databases at once, do not hold up this tenant’s queries through the binding', async () => {
    const other = await t.otherAccount()
    const hogs = await Promise.all(
      ['hog-a', 'hog-b'].map(async (name) => {
        const hog = await t.json(`/accounts/${other.accountId}/d1/database`, { method: 'POST', token: other.token, ...jsonBody({ name }) })
        assert.equal(hog.status, 200, JSON.stringify(hog.body))
        return hog.body.result.uuid as string
      }),
    )
    // The engine keeps two processes: the runaways take both, one after the other (each seen busy
    // in /metrics before the next), so this tenant's reads need a third.
    const busy = async () => {
      const text = await (await fetch(`http://127.0.0.1:${t.platform.apiPort}/metrics`)).text()
      return Number(/^workerhive_d1_engine_processes\{state="busy"\} (\d+)$/m.exec(text)?.[1])
    }
    let runawaysDone = 0
    for (const [i, hog] of hogs.entries()) {
      void t
        .json(`/accounts/${other.accountId}/d1/database/${hog}/query`, {
          method: 'POST',
          token: other.token,
          ...jsonBody({ sql: 'WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c) SELECT count(*) FROM c' }),
        })
        .catch(() => undefined)
        .finally(() => runawaysDone++)
      assert.equal(await eventually(busy, (n) => n === i + 1), i + 1)
    }
    for (let i = 0; i < 3; i++) {
      const read = await call('all')
      assert.equal(read.ok, true, JSON.stringify(read))
      assert.equal(read.value.length, 5)
    }
    assert.equal(runawaysDone, 0, 'the other tenant’s queries are still running')
  })
})
