// Counts the rows a Durable Object's storage reads and writes, as Cloudflare bills SQLite-backed
// objects: the SQL API's cursors report their own rowsRead/rowsWritten (read when the host takes
// the figures, so a cursor the object iterates later in the same call counts what it iterated);
// the KV API (ctx.storage.get/put/delete/list and the synchronous ctx.storage.kv) counts a row per
// key it reads, writes or deletes, and per key list() answers. Runs in the customer's isolate: it
// imports nothing.

/** The facet's RPC method the host calls after each call (DO_STORAGE_ROWS_METHOD in wire.ts). */
export const STORAGE_ROWS_METHOD = '__workerhiveStorageRows'

export interface StorageRows {
  read: number
  written: number
}

export interface StorageMeter {
  /** The rows read and written since the last take. */
  take(): StorageRows
}

interface Cursor {
  rowsRead: number
  rowsWritten: number
}

type Method = (...args: unknown[]) => unknown

/** Wraps `storage`'s SQL and KV methods in place; answers its meter. */
export function meterStorage(storage: Record<string, unknown>): StorageMeter {
  let read = 0
  let written = 0
  let cursors: Cursor[] = []
  const keys = (k: unknown): number => (Array.isArray(k) ? k.length : 1)
  const entries = (k: unknown): number => (typeof k === 'object' && k !== null ? Object.keys(k).length : 1)
  const sizeOf = (r: unknown): number => (r instanceof Map ? r.size : 0)
  const later = (r: unknown, count: (r: unknown) => void): unknown => (r instanceof Promise ? r.then((v) => (count(v), v)) : (count(r), r))

  const meterKv = (target: Record<string, unknown>): void => {
    wrap(target, 'get', (f) => (k, ...rest) => ((read += keys(k)), f(k, ...rest)))
    wrap(target, 'put', (f) => (k, ...rest) => ((written += entries(k)), f(k, ...rest)))
    wrap(target, 'delete', (f) => (k, ...rest) => ((written += keys(k)), f(k, ...rest)))
    // The synchronous kv.list() answers an iterator: its keys are not counted.
    wrap(target, 'list', (f) => (...args) => later(f(...args), (v) => (read += sizeOf(v))))
  }
  meterKv(storage)
  const kv = lazy(storage, 'kv')
  if (kv) meterKv(kv)
  const sql = lazy(storage, 'sql')
  if (sql) {
    wrap(sql, 'exec', (f) => (...args) => {
      const cursor = f(...args) as Cursor
      cursors.push(cursor)
      return cursor
    })
  }
  return {
    take(): StorageRows {
      for (const c of cursors) {
        read += c.rowsRead
        written += c.rowsWritten
      }
      cursors = []
      const rows = { read, written }
      read = 0
      written = 0
      return rows
    },
  }
}

/** Replaces `target[name]` with `make(original)`, when it is a method. */
function wrap(target: Record<string, unknown>, name: string, make: (original: Method) => Method): void {
  const original = target[name]
  if (typeof original !== 'function') return
  const bound = (original as Method).bind(target)
  Object.defineProperty(target, name, { value: make(bound), configurable: true, writable: true })
}

/**
 * A property workerd makes on first read (`sql`, `kv`: absent from KV-backed classes, where reading
 * them throws), fixed as an own property so the wrapped object is the one the class gets.
 */
function lazy(storage: Record<string, unknown>, name: string): Record<string, unknown> | undefined {
  let value: unknown
  try {
    value = storage[name]
  } catch {
    return undefined
  }
  if (typeof value !== 'object' || value === null) return undefined
  Object.defineProperty(storage, name, { value, configurable: true })
  return value as Record<string, unknown>
}
