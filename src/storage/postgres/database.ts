import type { Pool, PoolClient, QueryResultRow } from 'pg'
import type { Dialect } from '../shared/dialect.js'
import { migrations } from './migrations/index.js'

/** Something that runs SQL: the pool (autocommit) or the one client of a transaction. */
export interface Sql {
  rows<R extends QueryResultRow>(text: string, params?: readonly unknown[]): Promise<R[]>
  one<R extends QueryResultRow>(text: string, params?: readonly unknown[]): Promise<R | undefined>
  /** Runs a statement; how many rows it changed. */
  run(text: string, params?: readonly unknown[]): Promise<number>
}

export interface Db extends Sql {
  /** Runs `work` between BEGIN and COMMIT on one client of the pool; any throw rolls it all back. */
  tx<T>(work: (sql: Sql) => Promise<T>): Promise<T>
  close(): Promise<void>
}

/**
 * Advisory lock classes (the first key of the two-int form, so they never meet the keys of other
 * applications using the one-bigint form on the same database).
 */
export const LOCK_CLASS = { migrate: 0x5748_0001, publish: 0x5748_0002 } as const

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/

export interface PostgresOptions {
  /** `postgres://user@host:port/database`. */
  url: string
  /** Schema to keep the tables in (created if absent); the server's search_path otherwise. */
  schema?: string
  /** @default 10 */
  maxConnections?: number
}

/**
 * Connects the pool and applies pending migrations. `pg` is imported here, on first use, so a
 * platform on SQLite never loads it.
 */
export async function openDatabase(opts: PostgresOptions): Promise<Db> {
  if (opts.schema !== undefined && !SCHEMA_NAME.test(opts.schema)) {
    throw new Error(`Invalid PostgreSQL schema name "${opts.schema}": use letters, digits and _ (at most 63).`)
  }
  const { default: pg } = await import('pg')
  const pool = new pg.Pool({
    connectionString: opts.url,
    max: opts.maxConnections ?? 10,
    // A startup parameter rather than a SET after connecting: every connection of the pool has it
    // from its first statement on, including ones the pool opens later.
    ...(opts.schema !== undefined ? { options: `-c search_path=${opts.schema}` } : {}),
  })
  // An idle client whose server went away emits 'error' on the pool; without a listener that would
  // crash the process. The pool drops the client and the next query opens a fresh connection.
  pool.on('error', () => {})
  try {
    await migrate(pool, opts.schema, pg.escapeIdentifier)
  } catch (e) {
    await pool.end()
    throw e
  }
  return wrap(pool)
}

function sqlOn(target: Pool | PoolClient): Sql {
  return {
    async rows<R extends QueryResultRow>(text: string, params: readonly unknown[] = []): Promise<R[]> {
      return (await target.query<R>(text, [...params])).rows
    },
    async one<R extends QueryResultRow>(text: string, params: readonly unknown[] = []): Promise<R | undefined> {
      return (await target.query<R>(text, [...params])).rows[0]
    },
    async run(text: string, params: readonly unknown[] = []): Promise<number> {
      return (await target.query(text, [...params])).rowCount ?? 0
    },
  }
}

function wrap(pool: Pool): Db {
  return {
    ...sqlOn(pool),
    async tx(work) {
      const client = await pool.connect()
      try {
        await client.query('BEGIN')
        const result = await work(sqlOn(client))
        await client.query('COMMIT')
        client.release()
        return result
      } catch (e) {
        try {
          await client.query('ROLLBACK')
          client.release()
        } catch (rollbackError) {
          // The connection itself is broken: destroy it rather than hand it to the next caller.
          client.release(rollbackError instanceof Error ? rollbackError : true)
        }
        throw e
      }
    },
    close: () => pool.end(),
  }
}

/**
 * Creates the schema if needed and applies pending migrations, each in its own transaction, under an
 * advisory lock: when several nodes start at once against one database, one migrates and the others
 * wait, then find nothing to do. The lock is per schema, so separate schemas do not wait for each other.
 */
async function migrate(pool: Pool, schema: string | undefined, quote: (name: string) => string): Promise<void> {
  const client = await pool.connect()
  // current_schema() is NULL until the schema exists, so the lock is keyed on the name we were given.
  const lockArgs = [LOCK_CLASS.migrate, schema ?? null]
  const lockKey = 'hashtext(COALESCE($2::text, current_schema()))'
  let broken = false
  try {
    await client.query(`SELECT pg_advisory_lock($1, ${lockKey})`, lockArgs)
    try {
      // Checked first: CREATE SCHEMA IF NOT EXISTS needs the CREATE privilege even when it exists.
      if (schema !== undefined) {
        const found = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema])
        if (found.rowCount === 0) await client.query(`CREATE SCHEMA ${quote(schema)}`)
      }
      await client.query(
        `CREATE TABLE IF NOT EXISTS workerhive_migrations (
           version INTEGER PRIMARY KEY,
           applied_on TIMESTAMPTZ NOT NULL DEFAULT now()
         )`,
      )
      const applied = await client.query<{ version: number }>('SELECT version FROM workerhive_migrations')
      const done = new Set(applied.rows.map((r) => r.version))
      for (const m of migrations) {
        if (done.has(m.version)) continue
        await client.query('BEGIN')
        try {
          await client.query(m.sql)
          await client.query('INSERT INTO workerhive_migrations (version) VALUES ($1)', [m.version])
          await client.query('COMMIT')
        } catch (e) {
          await client.query('ROLLBACK')
          const reason = e instanceof Error ? e.message : String(e)
          throw new Error(`PostgreSQL migration ${m.version} failed: ${reason}`, { cause: e })
        }
      }
    } finally {
      await client.query(`SELECT pg_advisory_unlock($1, ${lockKey})`, lockArgs)
    }
  } catch (e) {
    broken = true
    throw e
  } finally {
    // A session-level lock dies with its connection, so a client that failed midway is destroyed.
    client.release(broken)
  }
}

export const iso = (d: Date): string => d.toISOString()
export { toJson } from '../shared/dialect.js'

/** PostgreSQL's unique_violation. */
export const isUniqueViolation = (e: unknown): boolean =>
  e instanceof Error && 'code' in e && (e as { code: unknown }).code === '23505'

/** pg parses jsonb and hands timestamptz over as a Date. */
export const dialect: Dialect = {
  time: (v) => iso(v as Date),
  json: <T>(v: unknown) => v as T,
  bool: (v) => v as boolean,
  isUniqueViolation,
  placeholder: (n) => `$${n}`,
}
