import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { EnginePool, QueryTimeout } from '../../src/d1/engine/pool.js'
import type { EngineReply, SqlValue } from '../../src/d1/engine/protocol.js'
import { splitStatements } from '../../src/d1/sql/statements.js'

// The engine in real engine processes and real files: what D1 refuses, how values cross, batches
// that fail leave nothing, and a runaway query is ended without holding up other databases.
describe('D1 engine', () => {
  let dir: string
  let pool: EnginePool
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'workerhive-d1-'))
    pool = new EnginePool({ processes: 2, timeoutMs: 5000, maxDatabaseBytes: 1024 * 1024 })
    // Two databases at once start both processes, so no case waits for one to start.
    await Promise.all(['warm-a', 'warm-b'].map((name) => batch(name, 'SELECT 1')))
  })
  after(async () => {
    await pool.close()
    rmSync(dir, { recursive: true, force: true })
  })

  const file = (name: string) => join(dir, `${name}.sqlite`)
  const batch = (name: string, ...statements: Array<string | [string, SqlValue[]]>): Promise<EngineReply> =>
    pool.run({
      op: 'batch',
      file: file(name),
      statements: statements.map((s) => (typeof s === 'string' ? { sql: s, params: [] } : { sql: s[0], params: s[1] })),
    })
  const rows = (reply: EngineReply) => {
    assert.ok(reply.ok && 'results' in reply, JSON.stringify(reply))
    return reply.results.at(-1)!.rows
  }
  const error = (reply: EngineReply) => {
    assert.ok(!reply.ok, JSON.stringify(reply))
    return reply.error
  }

  it('refuses what D1 forbids, with SQLite\'s authorizer message, and changes nothing', async () => {
    rows(await batch('fence', 'CREATE TABLE t (x)'))
    for (const sql of [
      "ATTACH DATABASE '/tmp/other.db' AS other",
      '/* hidden */ attach "x" as y',
      'PRAGMA writable_schema = 1',
      'PRAGMA main.journal_mode = DELETE',
      'PRAGMA temp.table_list',
      'EXPLAIN QUERY PLAN PRAGMA writable_schema = 1',
      'VACUUM',
      'BEGIN',
      'COMMIT',
      'SAVEPOINT s',
    ])
      assert.equal(error(await batch('fence', sql)), 'not authorized: SQLITE_AUTH', sql)
    assert.match(error(await batch('fence', "SELECT load_extension('/tmp/x.so')")), /not authorized/)
    assert.match(error(await batch('fence', "UPDATE sqlite_master SET sql = 'x'")), /may not be modified/)
    assert.deepEqual(rows(await batch('fence', 'PRAGMA table_list')).some((r) => r[1] === 't'), true)
    assert.deepEqual(rows(await batch('fence', 'PRAGMA foreign_keys = ON')), [])
  })

  it('binds ?, ?NNN and named parameters by position, and counts them', async () => {
    assert.deepEqual(rows(await batch('params', ['SELECT ?2 AS b, ?1 AS a, ?1 AS again, ? AS c', [1, 'two', 3]])), [['two', 1, 1, 3]])
    assert.deepEqual(rows(await batch('params', ["SELECT '?' AS q, ? AS v -- ?", ['x']])), [['?', 'x']])
    assert.equal(error(await batch('params', ['SELECT ? AS a', []])), 'Wrong number of parameter bindings for SQL query.')
    assert.equal(error(await batch('params', ['SELECT ? AS a', [1, 2]])), 'Wrong number of parameter bindings for SQL query.')
  })

  it('BLOBs go in as bytes and come out as bytes; SQL errors carry SQLite\'s code', async () => {
    rows(await batch('types', 'CREATE TABLE b (k INTEGER PRIMARY KEY, v BLOB UNIQUE)'))
    rows(await batch('types', ['INSERT INTO b (v) VALUES (?)', [Uint8Array.from([0, 1, 255])]]))
    assert.deepEqual(rows(await batch('types', 'SELECT v FROM b')), [[Uint8Array.from([0, 1, 255])]])
    assert.equal(error(await batch('types', 'SELECT * FROM nowhere')), 'no such table: nowhere: SQLITE_ERROR')
    assert.equal(
      error(await batch('types', ['INSERT INTO b (v) VALUES (?)', [Uint8Array.from([0, 1, 255])]])),
      'UNIQUE constraint failed: b.v: SQLITE_CONSTRAINT',
    )
  })

  it('a batch that fails half-way leaves nothing of itself', async () => {
    rows(await batch('atomic', 'CREATE TABLE t (x INTEGER NOT NULL)'))
    error(await batch('atomic', 'INSERT INTO t VALUES (1)', 'INSERT INTO t VALUES (NULL)'))
    assert.deepEqual(rows(await batch('atomic', 'SELECT count(*) FROM t')), [[0]])
  })

  it('meta: changes, last_row_id, rows written, size after', async () => {
    rows(await batch('meta', 'CREATE TABLE t (id INTEGER PRIMARY KEY, x)'))
    const reply = await batch('meta', 'INSERT INTO t (x) VALUES (1), (2), (3)')
    assert.ok(reply.ok && 'results' in reply)
    const meta = reply.results[0]!.meta
    assert.equal(meta.changes, 3)
    assert.equal(meta.last_row_id, 3)
    assert.equal(meta.rows_written, 3)
    assert.equal(meta.changed_db, true)
    assert.ok(meta.size_after > 0)
  })

  it('a database cannot grow past its size limit', async () => {
    rows(await batch('full', 'CREATE TABLE t (x)'))
    const big = 'x'.repeat(100_000)
    let last: EngineReply | undefined
    for (let i = 0; i < 15; i++) {
      last = await batch('full', ['INSERT INTO t VALUES (?)', [big]])
      if (!last.ok) break
    }
    assert.equal(error(last!), 'database or disk is full: SQLITE_FULL')
  })

  it('a runaway query is ended at the limit; its database and others go on', async () => {
    rows(await batch('calm', 'CREATE TABLE t (x)'))
    const order: string[] = []
    const runaway = batch('runaway', 'WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c) SELECT count(*) FROM c')
    const ended = runaway.then(
      () => order.push('runaway answered'),
      (e: unknown) => order.push(e instanceof QueryTimeout ? 'runaway interrupted' : String(e)),
    )
    // A database in the other process answers while the runaway one spins.
    rows(await batch('calm', 'INSERT INTO t VALUES (1)'))
    order.push('calm answered')
    await ended
    assert.deepEqual(order, ['calm answered', 'runaway interrupted'])
    assert.deepEqual(rows(await batch('runaway', 'SELECT 1')), [[1]])
  })

  it('runaway queries on two databases do not hold up a third: an extra process answers it, then stops when idle', async () => {
    const spare = new EnginePool({ processes: 1, maxProcesses: 3, timeoutMs: 60_000, idleMs: 20, maxDatabaseBytes: 1024 * 1024 })
    try {
      const spin = (name: string) =>
        spare.run({ op: 'batch', file: file(name), statements: [{ sql: 'WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c) SELECT count(*) FROM c', params: [] }] })
      const runaways = ['spin-a', 'spin-b'].map((name) => spin(name).catch((e: unknown) => e))
      const calm = await spare.run({ op: 'batch', file: file('spare-calm'), statements: [{ sql: 'SELECT 42', params: [] }] })
      assert.deepEqual(rows(calm), [[42]])
      assert.equal(spare.size, 3)
      // The calm database's process goes idle and is stopped; the two busy ones stay.
      while (spare.size > 2) await new Promise((resolve) => setTimeout(resolve, 10))
      assert.equal(spare.size, 2)
      await spare.close()
      for (const ended of await Promise.all(runaways)) assert.match(String(ended), /closed/)
    } finally {
      await spare.close()
    }
  })

  it('splits SQL text into statements, keeping trigger bodies and quoted semicolons whole', () => {
    const sql = [
      "INSERT INTO t VALUES ('a;b');",
      '-- a comment; with a semicolon',
      'CREATE TRIGGER tr AFTER INSERT ON t BEGIN UPDATE t SET x = CASE WHEN 1 THEN 2 END; DELETE FROM t; END;',
      '/* ; */ SELECT 1',
      ';;',
    ].join('\n')
    assert.deepEqual(splitStatements(sql), [
      "INSERT INTO t VALUES ('a;b')",
      '-- a comment; with a semicolon\nCREATE TRIGGER tr AFTER INSERT ON t BEGIN UPDATE t SET x = CASE WHEN 1 THEN 2 END; DELETE FROM t; END',
      '/* ; */ SELECT 1',
    ])
  })
})
