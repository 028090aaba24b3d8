import { createHash } from 'node:crypto'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import {
  d1BadRequest,
  d1DatabaseNotFound,
  d1DatabaseQuotaExceeded,
  d1NameTaken,
  d1QueryFailed,
} from '../domain/errors.js'
import type { AccountId, D1DatabaseId } from '../domain/ids.js'
import type { D1DatabaseRecord, D1Store } from '../storage/d1-store.js'
import { StorageConflict } from '../storage/store.js'
import { PeerUnreachable } from '../runtime/placement/cluster.js'
import { removeSqliteFile } from '../runtime/placement/pages.js'
import { d1ClusterPath, decodeWire, encodeWire, NOT_OWNER_STATUS, resourceOf, type D1Call, type D1Cluster, type D1Owner } from './cluster.js'
import { EnginePool, QueryTimeout, type PoolOptions } from './engine/pool.js'
import type { EngineReply, EngineRequest, SqlStatement, SqlValue, StatementResult } from './engine/protocol.js'
import { D1_LIMITS } from './limits.js'
import { splitStatements } from './sql/statements.js'

/** What a query call answers: each statement's result, or the failure (nothing was changed). */
export type D1Outcome =
  | { ok: true; results: StatementResult[]; bookmark: string }
  | { ok: false; error: string; results: StatementResult[]; bookmark: string }

export interface D1DatabaseInfo {
  size: number
  tables: number
}

/**
 * D1 databases: the account's list in the store, each database's rows in its own SQLite file
 * under `<data dir>/d1/`, run by the engine's processes. The REST routes and the binding's
 * internal route both call this; a foreign account's database answers exactly like a missing one.
 *
 * With `cluster` (several nodes on PostgreSQL) every call on a database's file goes to its owner:
 * run here when this node holds the lease (after rebuilding the file if it has just taken it, and
 * replicating a write's pages before answering), otherwise forwarded to the owner, once more
 * through the store when the lease moved under the first try.
 */
export class D1Service implements D1Owner {
  readonly #store: D1Store
  readonly #dir: string
  readonly #pool: EnginePool
  readonly #cluster: D1Cluster | undefined
  /** The tail of each database's chain of calls on this node: one runs at a time (see #serially). */
  readonly #tails = new Map<string, Promise<unknown>>()

  constructor(deps: { store: D1Store; dataDir: string; engine?: Partial<PoolOptions>; cluster?: D1Cluster }) {
    this.#store = deps.store
    this.#cluster = deps.cluster
    this.#dir = join(deps.dataDir, 'd1')
    mkdirSync(this.#dir, { recursive: true, mode: 0o700 })
    this.#pool = new EnginePool({
      processes: 2,
      // More start while all are busy, so runaway queries cannot hold up every other database.
      maxProcesses: 8,
      timeoutMs: D1_LIMITS.queryTimeoutMs,
      maxDatabaseBytes: D1_LIMITS.maxDatabaseBytes,
      ...deps.engine,
    })
  }

  async create(accountId: AccountId, name: unknown): Promise<D1DatabaseRecord> {
    if (typeof name !== 'string' || name.trim() === '') throw d1BadRequest('A database name is required')
    if (name.length > D1_LIMITS.maxNameLength || !/^[A-Za-z0-9_-]+$/.test(name))
      throw d1BadRequest(`Database name '${name}' is invalid: use up to ${D1_LIMITS.maxNameLength} letters, digits, '-' and '_'`)
    if ((await this.#store.listDatabases(accountId)).length >= D1_LIMITS.maxDatabases)
      throw d1DatabaseQuotaExceeded(D1_LIMITS.maxDatabases)
    try {
      return await this.#store.createDatabase(accountId, name)
    } catch (e) {
      if (e instanceof StorageConflict) throw d1NameTaken()
      throw e
    }
  }

  list(accountId: AccountId): Promise<D1DatabaseRecord[]> {
    return this.#store.listDatabases(accountId)
  }

  /** By id, or by name (wrangler looks a database up by name on this same path). */
  async resolve(accountId: AccountId, idOrName: string): Promise<D1DatabaseRecord> {
    const found = UUID.test(idOrName)
      ? await this.#store.getDatabase(accountId, idOrName.toLowerCase() as D1DatabaseId)
      : await this.#store.findDatabaseByName(accountId, idOrName)
    if (!found) throw d1DatabaseNotFound()
    return found
  }

  async info(db: D1DatabaseRecord): Promise<D1DatabaseInfo> {
    const reply = await this.#call(db.id, { op: 'info' })
    return 'info' in reply ? reply.info : { size: 0, tables: 0 }
  }

  async delete(accountId: AccountId, idOrName: string): Promise<void> {
    const db = await this.resolve(accountId, idOrName)
    if (!(await this.#store.deleteDatabase(accountId, db.id))) throw d1DatabaseNotFound()
    await this.#call(db.id, { op: 'drop' })
  }

  /**
   * Runs statements: `batch` in one transaction (all or nothing), `sequence` one after the other,
   * stopping at the first failure. Each statement is checked against D1's limits first.
   */
  async query(db: D1DatabaseRecord, statements: SqlStatement[], mode: 'batch' | 'sequence' = 'batch'): Promise<D1Outcome> {
    for (const s of statements) checkStatement(s)
    const reply = await this.#call(db.id, { op: mode, statements })
    const bookmark = bookmarkOf(db, reply)
    if (!reply.ok) return { ok: false, error: reply.error, results: reply.results ?? [], bookmark }
    return { ok: true, results: 'results' in reply ? reply.results : [], bookmark }
  }

  /** SQL text run as a whole in one transaction (imports, `wrangler d1 execute --file`). */
  async importSql(db: D1DatabaseRecord, sql: string): Promise<D1Outcome> {
    return this.query(db, splitStatements(sql).map((s) => ({ sql: s, params: [] })), 'batch')
  }

  async dump(db: D1DatabaseRecord, opts: { noSchema?: boolean; noData?: boolean; tables?: string[] } = {}): Promise<string> {
    const reply = await this.#call(db.id, { op: 'dump', ...opts })
    if (!reply.ok) throw d1QueryFailed(reply.error)
    return 'dump' in reply ? reply.dump : ''
  }

  /** Engine lanes busy with a request and idle ones (an idle lane may not have started its process). */
  engineProcesses(): { busy: number; idle: number } {
    return { busy: this.#pool.busy, idle: this.#pool.size - this.#pool.busy }
  }

  close(): Promise<void> {
    return this.#pool.close()
  }

  /** A call on a database's file, wherever the database lives. */
  async #call(databaseId: string, call: D1Call): Promise<EngineReply> {
    for (let attempt = 0; attempt < 2; attempt++) {
      const here = await this.#here(databaseId, call)
      if ('reply' in here) return here.reply
      // Only a node with a cluster learns of another owner.
      const cluster = this.#cluster!
      let res: Response
      try {
        res = await cluster.client.call(here.address, d1ClusterPath(databaseId), encodeWire(call), { 'content-type': 'application/json' })
      } catch (e) {
        if (!(e instanceof PeerUnreachable)) throw e
        cluster.placement.forgetOwner(resourceOf(databaseId))
        return { ok: false, error: 'Network connection lost.' }
      }
      if (res.status === NOT_OWNER_STATUS) {
        cluster.placement.forgetOwner(resourceOf(databaseId))
        continue
      }
      if (!res.ok) return { ok: false, error: `Network connection lost. (the database's node answered ${res.status})` }
      return decodeWire<EngineReply>(await res.text())
    }
    return { ok: false, error: 'Network connection lost. (the database is moving between nodes; try again)' }
  }

  /**
   * Runs a call here if this node owns the database (taking it when it is free), else undefined.
   * The owner side of forwarded calls too: it never forwards again, so calls cannot loop.
   */
  async runAsOwner(databaseId: string, call: D1Call): Promise<EngineReply | undefined> {
    const here = await this.#here(databaseId, call)
    return 'reply' in here ? here.reply : undefined
  }

  /** The call's reply if this node owns the database (taking it when free), else the owner's address. */
  #here(databaseId: string, call: D1Call): Promise<{ reply: EngineReply } | { address: string }> {
    const cluster = this.#cluster
    return this.#serially(databaseId, async () => {
      if (!cluster) return { reply: await this.#runHere(databaseId, call, false) }
      const owner = await cluster.placement.owner(resourceOf(databaseId))
      if (!owner.local) return { address: owner.address }
      return { reply: await this.#runHere(databaseId, call, owner.acquired) }
    })
  }

  /** Runs a call on the local file; with a cluster, rebuilds it first and replicates writes. */
  async #runHere(databaseId: string, call: D1Call, acquired: boolean): Promise<EngineReply> {
    const file = join(this.#dir, `${databaseId}.sqlite`)
    const cluster = this.#cluster
    const resource = resourceOf(databaseId)
    if (call.op === 'drop') {
      await this.#pool.closeFile(file)
      await removeSqliteFile(file)
      if (cluster) {
        await cluster.replica.drop(resource)
        await cluster.placement.release(resource)
      }
      return { ok: true }
    }
    if (cluster && acquired) {
      try {
        await cluster.replica.restore(resource, file, async () => {
          await this.#pool.closeFile(file)
          await removeSqliteFile(file)
        })
      } catch (e) {
        // Not rebuilt: give the lease up, so the next call (here or elsewhere) rebuilds again.
        await cluster.placement.release(resource).catch(() => {})
        throw e
      }
    }
    const request = { ...call, file, ...(cluster && (call.op === 'batch' || call.op === 'sequence') ? { checkpoint: true } : {}) } as EngineRequest
    let reply: EngineReply
    try {
      reply = await this.#pool.run(request)
    } catch (e) {
      if (!(e instanceof QueryTimeout)) throw e
      reply = { ok: false, error: e.message }
      // The engine was killed mid-query: the file is rolled back on its next open, and (with a
      // cluster) nothing of it was replicated, so the stored pages remain the truth.
      if (cluster) await this.#stepDown(resource, file)
      return reply
    }
    const results = 'results' in reply ? (reply.results ?? []) : []
    if (cluster && results.some((r) => r.meta.changed_db)) {
      try {
        await cluster.replica.replicate(resource, file)
      } catch (e) {
        // Committed here but not in the shared store: never acknowledged, and this copy is no
        // longer the truth. The next owner (maybe this node again) rebuilds from the stored pages.
        await this.#stepDown(resource, file)
        return { ok: false, error: `Storage operation failed: the write could not be replicated (${(e as Error).message})` }
      }
    }
    return reply
  }

  async #stepDown(resource: string, file: string): Promise<void> {
    const cluster = this.#cluster!
    cluster.replica.forget(resource)
    await this.#pool.closeFile(file).catch(() => {})
    await cluster.placement.release(resource).catch(() => {})
  }

  /**
   * One call at a time per database on this node: a rebuild, a write and its replication never
   * overlap another call on the same file (the engine runs one database's calls in order anyway).
   */
  #serially<T>(databaseId: string, work: () => Promise<T>): Promise<T> {
    const before = this.#tails.get(databaseId) ?? Promise.resolve()
    const run = before.then(work, work)
    const tail = run.catch(() => {})
    this.#tails.set(databaseId, tail)
    void tail.then(() => {
      if (this.#tails.get(databaseId) === tail) this.#tails.delete(databaseId)
    })
    return run
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

function checkStatement(s: SqlStatement): void {
  if (Buffer.byteLength(s.sql) > D1_LIMITS.maxStatementBytes)
    throw d1QueryFailed(`Statement too long: SQLITE_TOOBIG`)
  if (s.params.length > D1_LIMITS.maxBoundParameters)
    throw d1QueryFailed(`too many SQL variables: SQLITE_ERROR`)
}

/**
 * A session bookmark: D1's shape (hex fields, ordered as text), made of the database's size and a
 * hash, so a later write never sorts before an earlier one on one node.
 */
function bookmarkOf(db: D1DatabaseRecord, reply: EngineReply): string {
  const results = 'results' in reply ? (reply.results ?? []) : []
  const size = results.at(-1)?.meta.size_after ?? 0
  const stamp = Date.now().toString(16).padStart(12, '0')
  const tag = createHash('sha256').update(db.id).digest('hex').slice(0, 32)
  return `${stamp}-${size.toString(16).padStart(8, '0')}-00000000-${tag}`
}

/**
 * A value from a JSON request as D1 binds it: numbers and strings as they are, booleans as 1/0,
 * null, and an array of byte values as a BLOB. Anything else is refused.
 */
export function sqlValueOf(v: unknown): SqlValue {
  if (v === null || typeof v === 'number' || typeof v === 'string') return v
  if (typeof v === 'boolean') return v ? 1 : 0
  if (Array.isArray(v) && v.every((b) => typeof b === 'number' && Number.isInteger(b) && b >= 0 && b < 256)) return Uint8Array.from(v as number[])
  throw d1BadRequest(`Type '${typeof v}' not supported for value '${String(v)}'`)
}

/** One statement of a JSON request: `{sql, params?}`. */
export function statementOf(raw: unknown): SqlStatement {
  if (typeof raw !== 'object' || raw === null) throw d1BadRequest('Each query must be an object with "sql"')
  const { sql, params } = raw as { sql?: unknown; params?: unknown }
  if (typeof sql !== 'string' || sql.trim() === '') throw d1BadRequest('A query must have a non-empty "sql" string')
  if (params !== undefined && params !== null && !Array.isArray(params)) throw d1BadRequest('"params" must be an array')
  return { sql, params: (params ?? []).map(sqlValueOf) }
}

/** JSON for a result row value: BLOBs as arrays of byte values, as D1 answers them. */
export const jsonValue = (v: SqlValue): unknown => (v instanceof Uint8Array ? Array.from(v) : v)
