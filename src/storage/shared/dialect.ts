import { StorageConflict } from '../store.js'

/**
 * What differs between the databases once the rules are shared: how column values read back
 * (SQLite: JSON and times as text, booleans as 0/1; PostgreSQL: jsonb, timestamptz, BIGINT as a
 * string) and how a broken uniqueness rule shows.
 */
export interface Dialect {
  /** A timestamp column as ISO 8601 text. */
  time(value: unknown): string
  json<T>(value: unknown): T
  bool(value: unknown): boolean
  isUniqueViolation(error: unknown): boolean
  /** The n-th (1-based) statement parameter: `?` or `$n`. */
  placeholder(n: number): string
}

/** Rethrows a broken uniqueness rule as StorageConflict(what), anything else as it is. */
export function rethrowConflict(dialect: Dialect, what: string, error: unknown): never {
  if (dialect.isUniqueViolation(error)) throw new StorageConflict(what)
  throw error
}

/** Every stored JSON value is written as its text; both databases accept it. */
export const toJson = (value: unknown): string => JSON.stringify(value)

/** A row's values in the order of `columns`: one column list for the INSERT text and its parameters. */
export const valuesOf = <C extends string>(row: Record<C, unknown>, columns: readonly C[]): unknown[] =>
  columns.map((c) => row[c])

/** `INSERT INTO table (a, b) VALUES (?, ?)` in the dialect's placeholder style. */
export const insertSql = (dialect: Dialect, table: string, columns: readonly string[]): string =>
  `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map((_, i) => dialect.placeholder(i + 1)).join(', ')})`
