// The messages between the D1 pool (main thread) and its worker threads.

/** A bound value as it crosses: bytes travel as Uint8Array (a BLOB). */
export type SqlValue = null | number | string | Uint8Array

export interface SqlStatement {
  sql: string
  params: SqlValue[]
}

/** What one statement did, in D1's terms (meta fields as D1 names them). */
export interface StatementResult {
  columns: string[]
  rows: SqlValue[][]
  meta: {
    duration: number
    changes: number
    last_row_id: number
    changed_db: boolean
    size_after: number
    rows_read: number
    rows_written: number
  }
}

export type EngineRequest =
  /**
   * Statements in one transaction (a batch, or one statement): all or nothing. `checkpoint`: after
   * a write, move the WAL into the main file, so the file alone holds the database (replication).
   */
  | { op: 'batch'; file: string; statements: SqlStatement[]; checkpoint?: boolean }
  /** Statements one after the other, each its own transaction, stopping at the first failure. */
  | { op: 'sequence'; file: string; statements: SqlStatement[]; checkpoint?: boolean }
  /** The database as SQL text (tables, rows, indexes, views, triggers). */
  | { op: 'dump'; file: string; noSchema?: boolean; noData?: boolean; tables?: string[] }
  | { op: 'info'; file: string }
  /** Closes the file's handle (before the file is deleted). */
  | { op: 'close'; file: string }

export type EngineReply =
  | { ok: true; results: StatementResult[] }
  /** `results`: what ran before the failure (sequences keep it). */
  | { ok: false; error: string; results?: StatementResult[] }
  | { ok: true; dump: string }
  | { ok: true; info: { size: number; tables: number } }
  | { ok: true }

export interface EngineOptions {
  /** Largest database file, in bytes (SQLite's max_page_count). */
  maxDatabaseBytes: number
}
