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

/** `INSERT INTO table (a, b) VALUES (<placeholder 1>, <placeholder 2>)`, in the driver's placeholder style. */
export const insertSql = (table: string, columns: readonly string[], placeholder: (n: number) => string): string =>
  `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map((_, i) => placeholder(i + 1)).join(', ')})`
