/**
 * Storage failures said as one sentence naming the path: a start that cannot open its database,
 * and the API's answer to a write the disk has no room for. Codes are better-sqlite3's
 * (`SQLITE_*`), Node's (`E*`) and PostgreSQL's SQLSTATE.
 */

export type StorageFailure = 'full' | 'read-only' | 'malformed'

export function storageFailureOf(err: unknown): StorageFailure | undefined {
  const code = String((err as { code?: unknown } | undefined)?.code ?? '')
  if (code === 'SQLITE_FULL' || code === 'ENOSPC' || code === 'EDQUOT' || code === '53100') return 'full'
  if (code.startsWith('SQLITE_READONLY') || code === 'EROFS' || code === 'EACCES' || code === 'EPERM') return 'read-only'
  if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')) return 'malformed'
  // An unopenable file: better-sqlite3 says why only in the message.
  if (code.startsWith('SQLITE_CANTOPEN')) return 'read-only'
  return undefined
}

export function explainStorageFailure(failure: StorageFailure, path: string): string {
  switch (failure) {
    case 'full':
      return `the disk holding ${path} is full; free some space there and start again`
    case 'read-only':
      return `${path} cannot be written (read-only file system or missing permission); make it writable by this user or pass another --data-dir`
    case 'malformed':
      return `${path} is not a Workerhive database (it is damaged or another kind of file); restore it from a backup or pass another --data-dir`
  }
}
