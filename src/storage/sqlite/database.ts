import Database from 'better-sqlite3'
import { closeSync, existsSync, mkdirSync, openSync } from 'node:fs'
import { dirname } from 'node:path'
import type { Dialect } from '../shared/dialect.js'
import { migrations } from './migrations/index.js'

export type Db = Database.Database

/**
 * Opens (creating if needed) the database file in WAL mode with full fsync, so a write the API
 * acknowledged survives kill -9 and power loss, and applies pending migrations. The store then
 * moves that fsync off the event loop and shares it between concurrent writes (durability.ts).
 */
export function openDatabase(file: string): Db {
  if (file !== ':memory:') {
    mkdirSync(dirname(file), { recursive: true })
    // Created 0600 before SQLite opens it: SQLite gives the -wal and -shm files the same mode.
    if (!existsSync(file)) closeSync(openSync(file, 'a', 0o600))
  }
  const db = new Database(file)
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = FULL')
  db.pragma('foreign_keys = ON')
  db.pragma('busy_timeout = 5000')
  migrate(db)
  return db
}

function migrate(db: Db): void {
  const current = db.pragma('user_version', { simple: true }) as number
  for (const m of migrations) {
    if (m.version <= current) continue
    db.transaction(() => {
      db.exec(m.sql)
      db.pragma(`user_version = ${m.version}`)
    })()
  }
}

export { toJson } from '../shared/dialect.js'
export const fromJson = <T>(s: string): T => JSON.parse(s) as T

/** SQLite keeps JSON and times as text and booleans as 0/1. */
export const dialect: Dialect = {
  time: (v) => v as string,
  json: <T>(v: unknown) => fromJson<T>(v as string),
  bool: (v) => v === 1,
  isUniqueViolation: (e) =>
    e instanceof Error && 'code' in e && (e as { code: string }).code.startsWith('SQLITE_CONSTRAINT_UNIQUE'),
  placeholder: () => '?',
}
