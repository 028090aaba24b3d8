/**
 * How a driver's column values read back. The row shapes and the rules are shared; only the
 * encoding differs (SQLite: JSON and times as text, booleans as 0/1; PostgreSQL: jsonb, timestamptz,
 * and BIGINT as a string).
 */
export interface Codec {
  /** A timestamp column as ISO 8601 text. */
  time(value: unknown): string
  json<T>(value: unknown): T
  bool(value: unknown): boolean
}

/** Every stored JSON value is written as its text; both databases accept it. */
export const toJson = (value: unknown): string => JSON.stringify(value)

/** A row's values in the order of `columns`: one column list for the INSERT text and its parameters. */
export const valuesOf = <C extends string>(row: Record<C, unknown>, columns: readonly C[]): unknown[] =>
  columns.map((c) => row[c])

/** `INSERT INTO table (a, b) VALUES (<placeholder 1>, <placeholder 2>)`, in the driver's placeholder style. */
export const insertSql = (table: string, columns: readonly string[], placeholder: (n: number) => string): string =>
  `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map((_, i) => placeholder(i + 1)).join(', ')})`
