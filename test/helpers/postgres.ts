import { randomBytes } from 'node:crypto'
import pg from 'pg'

/** The server the PostgreSQL tests use: trust auth, database `test`, unless told otherwise. */
export const POSTGRES_URL =
  process.env.WORKERHIVE_TEST_POSTGRES_URL || 'postgres://postgres@127.0.0.1:5432/test'

/** host:port of a connection string, without credentials, for messages. */
function where(url: string): string {
  try {
    const u = new URL(url)
    return `${u.hostname}:${u.port || '5432'}`
  } catch {
    return 'the configured address'
  }
}

let reachable: Promise<void> | undefined

/**
 * Resolves once PostgreSQL answers. Otherwise every test that needs it fails (never skips) with
 * what is missing and how to point the tests elsewhere.
 */
export function requirePostgres(): Promise<void> {
  reachable ??= (async () => {
    const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 5000 })
    try {
      await client.connect()
      await client.query('SELECT 1')
    } catch (e) {
      const reason = e instanceof Error ? e.message : String(e)
      const hint = 'set WORKERHIVE_TEST_POSTGRES_URL to point elsewhere'
      throw new Error(`PostgreSQL not reachable at ${where(POSTGRES_URL)} (${hint}): ${reason}`)
    } finally {
      await client.end().catch(() => {})
    }
  })()
  return reachable
}

/** A schema name no other test run uses: `wh_test_<random>`. */
export const uniqueSchemaName = (): string => `wh_test_${randomBytes(6).toString('hex')}`

/** Runs one statement on a connection of its own. */
export async function adminQuery<R extends pg.QueryResultRow>(
  text: string,
  params: unknown[] = [],
): Promise<R[]> {
  const client = new pg.Client({ connectionString: POSTGRES_URL })
  await client.connect()
  try {
    return (await client.query<R>(text, params)).rows
  } finally {
    await client.end()
  }
}

export const dropSchema = async (name: string): Promise<void> => {
  await adminQuery(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(name)} CASCADE`)
}

/**
 * Deletes every row of every table in the schema but the migration record, so a store opened on it
 * again starts empty without paying for the DDL again. Order does not matter: every foreign key of
 * the schema cascades.
 */
export async function emptySchema(name: string): Promise<void> {
  const tables = await adminQuery<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables
     WHERE table_schema = $1 AND table_type = 'BASE TABLE' AND table_name <> 'workerhive_migrations'`,
    [name],
  )
  const schema = pg.escapeIdentifier(name)
  await adminQuery(tables.map((t) => `DELETE FROM ${schema}.${pg.escapeIdentifier(t.table_name)};`).join('\n'))
}

/** Every node of a PostgreSQL platform seals secrets with the one key its operator supplies. */
export const TEST_SECRETS_KEY = 'a1'.repeat(32)
