// One D1 engine process: opens database files with better-sqlite3 and runs what the pool sends. A
// query that runs too long is ended by the pool killing this process (SQLite rolls the unfinished
// transaction back when the file is next opened), so nothing here watches the clock. A process,
// not a worker thread: Worker.terminate() cannot stop a thread busy in SQLite's native code.
import Database from 'better-sqlite3'
import { refusal } from '../sql/policy.js'
import { positionalParameters } from '../sql/statements.js'
import type { EngineReply, EngineRequest, SqlStatement, SqlValue, StatementResult, EngineOptions } from './protocol.js'

const options = JSON.parse(process.argv[2] ?? '{}') as EngineOptions
const open = new Map<string, Database.Database>()

function handleOf(file: string): Database.Database {
  let db = open.get(file)
  if (db) return db
  db = new Database(file)
  db.unsafeMode(false)
  db.defaultSafeIntegers(false)
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = FULL')
  const pageSize = db.pragma('page_size', { simple: true }) as number
  db.pragma(`max_page_count = ${Math.max(1, Math.floor(options.maxDatabaseBytes / pageSize))}`)
  open.set(file, db)
  return db
}

class StatementError extends Error {}

function sizeOf(db: Database.Database): number {
  return (db.pragma('page_count', { simple: true }) as number) * (db.pragma('page_size', { simple: true }) as number)
}

function run(db: Database.Database, statement: SqlStatement): StatementResult {
  const refused = refusal(statement.sql)
  if (refused) throw new StatementError(refused)
  const { sql, order, count } = positionalParameters(statement.sql)
  if (count !== statement.params.length) throw new StatementError('Wrong number of parameter bindings for SQL query.')
  const values = order.map((i) => toSqlite(statement.params[i - 1] ?? null))
  const started = performance.now()
  let stmt: Database.Statement
  try {
    stmt = db.prepare(sql)
  } catch (e) {
    throw new StatementError(sqliteMessage(e))
  }
  const before = db.prepare('SELECT total_changes() AS n').pluck().get() as number
  let columns: string[] = []
  let rows: SqlValue[][] = []
  let lastRowId = 0
  try {
    if (stmt.reader) {
      columns = stmt.columns().map((c) => c.name)
      rows = (stmt.raw(true).all(...values) as unknown[][]).map((row) => row.map(fromSqlite))
    } else {
      lastRowId = Number(stmt.run(...values).lastInsertRowid)
    }
  } catch (e) {
    throw new StatementError(sqliteMessage(e))
  }
  if (stmt.reader && !stmt.readonly) lastRowId = Number(db.prepare('SELECT last_insert_rowid()').pluck().get())
  const changes = (db.prepare('SELECT total_changes() AS n').pluck().get() as number) - before
  const changedDb = !stmt.readonly
  return {
    columns,
    rows,
    meta: {
      duration: performance.now() - started,
      changes,
      last_row_id: changedDb ? lastRowId : 0,
      changed_db: changedDb,
      size_after: sizeOf(db),
      // SQLite does not count rows scanned for us: rows returned plus rows changed is the floor.
      rows_read: rows.length + changes,
      rows_written: changes,
    },
  }
}

function toSqlite(v: SqlValue): null | number | string | Buffer {
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength)
  return v
}

/** D1 answers BLOBs as arrays of byte values. */
function fromSqlite(v: unknown): SqlValue {
  if (Buffer.isBuffer(v)) return new Uint8Array(v)
  if (typeof v === 'bigint') return Number(v)
  return v as SqlValue
}

/** SQLite's message with its result code, as D1 shows it (`no such table: x: SQLITE_ERROR`). */
function sqliteMessage(e: unknown): string {
  const err = e as { message?: string; code?: string }
  const message = err.message ?? String(e)
  // better-sqlite3 gives the extended code (SQLITE_CONSTRAINT_UNIQUE); D1 shows the primary one.
  if (typeof err.code === 'string' && err.code.startsWith('SQLITE_')) return `${message}: ${err.code.split('_').slice(0, 2).join('_')}`
  return message
}

function batch(db: Database.Database, statements: SqlStatement[]): EngineReply {
  const results: StatementResult[] = []
  const tx = db.transaction(() => {
    for (const s of statements) results.push(run(db, s))
  })
  try {
    tx.immediate()
    return { ok: true, results }
  } catch (e) {
    if (e instanceof StatementError) return { ok: false, error: e.message }
    return { ok: false, error: sqliteMessage(e) }
  }
}

function sequence(db: Database.Database, statements: SqlStatement[]): EngineReply {
  const results: StatementResult[] = []
  for (const s of statements) {
    try {
      results.push(run(db, s))
    } catch (e) {
      return { ok: false, error: e instanceof StatementError ? e.message : sqliteMessage(e), results }
    }
  }
  return { ok: true, results }
}

function handle(request: EngineRequest): EngineReply {
  if (request.op === 'close') {
    open.get(request.file)?.close()
    open.delete(request.file)
    return { ok: true }
  }
  const db = handleOf(request.file)
  switch (request.op) {
    case 'batch':
      return checkpointed(db, request.checkpoint, batch(db, request.statements))
    case 'sequence':
      return checkpointed(db, request.checkpoint, sequence(db, request.statements))
    case 'info': {
      const tables = db.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'").pluck().get() as number
      return { ok: true, info: { size: sizeOf(db), tables } }
    }
    case 'dump':
      return { ok: true, dump: dump(db, request) }
  }
}

/** After a write, when asked: the WAL's pages go into the main file (fsynced) and the WAL is emptied. */
function checkpointed(db: Database.Database, checkpoint: boolean | undefined, reply: EngineReply): EngineReply {
  const results = 'results' in reply ? (reply.results ?? []) : []
  if (checkpoint && results.some((r) => r.meta.changed_db)) db.pragma('wal_checkpoint(TRUNCATE)')
  return reply
}

/** The database as SQL that rebuilds it: schema first, then rows, then indexes, triggers, views. */
function dump(db: Database.Database, opts: { noSchema?: boolean; noData?: boolean; tables?: string[] }): string {
  const wanted = opts.tables && opts.tables.length > 0 ? new Set(opts.tables) : undefined
  const objects = db
    .prepare("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' ORDER BY rowid")
    .all() as Array<{ type: string; name: string; tbl_name: string; sql: string }>
  const lines: string[] = ['PRAGMA defer_foreign_keys=TRUE;']
  const tables = objects.filter((o) => o.type === 'table' && (!wanted || wanted.has(o.name)))
  for (const t of tables) {
    if (!opts.noSchema) lines.push(`${t.sql};`)
    if (opts.noData) continue
    const quotedName = `"${t.name.replace(/"/g, '""')}"`
    for (const row of db.prepare(`SELECT * FROM ${quotedName}`).raw(true).iterate() as IterableIterator<unknown[]>)
      lines.push(`INSERT INTO ${quotedName} VALUES(${row.map(literal).join(',')});`)
  }
  if (!opts.noSchema)
    for (const o of objects) if (o.type !== 'table' && (!wanted || wanted.has(o.tbl_name))) lines.push(`${o.sql};`)
  return lines.join('\n') + '\n'
}

function literal(v: unknown): string {
  if (v === null) return 'NULL'
  if (typeof v === 'number' || typeof v === 'bigint') return String(v)
  if (Buffer.isBuffer(v)) return `X'${v.toString('hex')}'`
  return `'${String(v).replace(/'/g, "''")}'`
}

process.on('message', (message: { id: number; request: EngineRequest }) => {
  let reply: EngineReply
  try {
    reply = handle(message.request)
  } catch (e) {
    reply = { ok: false, error: sqliteMessage(e) }
  }
  process.send?.({ id: message.id, reply })
})

// Loaded and listening: the pool starts a request's clock only now, so start-up is never a query's.
process.send?.({ ready: true })

// The pool is gone (its process died): nothing will ever ask again.
process.on('disconnect', () => process.exit(0))
