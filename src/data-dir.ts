import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { acquirePidLock, type PidLock } from './util/pid-lock.js'

// The files of a data dir that the running platform and the CLI both read. (The store, the
// credentials and the runtime files each belong to their own module.)

const LOCK_FILE = 'workerhive.lock'
const ENDPOINTS_FILE = 'endpoints.json'

/**
 * Makes the data dir this process's alone while it runs: a second `workerhive start` on it fails
 * before writing anything (LockHeldError). The only write before the lock is the directory itself.
 */
export function holdDataDir(dataDir: string): PidLock {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 })
  // Only its owner may enter: it holds the database, the credentials and the secrets key. An older
  // data dir made with the umask's 0755 is tightened here.
  chmodSync(dataDir, 0o700)
  return acquirePidLock(join(dataDir, LOCK_FILE))
}

/**
 * Every file directly in the data dir made 0600: the database with its -wal and -shm, the
 * credentials, the secrets key, the lock. Files a former version made with the umask's 0644 are
 * fixed on start; SQLite gives -wal and -shm the database file's mode.
 */
export function protectDataFiles(dataDir: string): void {
  for (const entry of readdirSync(dataDir, { withFileTypes: true })) {
    if (!entry.isFile()) continue
    const path = join(dataDir, entry.name)
    if ((statSync(path).mode & 0o777) !== 0o600) chmodSync(path, 0o600)
  }
}

/** The database a data dir's SQLite store lives in. */
export const sqliteFile = (dataDir: string): string => join(dataDir, 'workerhive.db')

/**
 * Why a data dir that has served before (it has credentials) must not start with the database it
 * has now, if so: a missing or empty file would otherwise become a new, empty platform whose first
 * account replaces the credentials of the old one.
 */
export function lostDatabase(dataDir: string, credentials: string): string | undefined {
  if (!existsSync(credentials)) return undefined
  const db = sqliteFile(dataDir)
  if (!existsSync(db)) return `${db} is missing although ${credentials} says this data dir has served before`
  if (statSync(db).size === 0) return `${db} is empty (0 bytes) although ${credentials} says this data dir has served before`
  return undefined
}

/** Where a platform started on this data dir listens: API commands without CLOUDFLARE_API_BASE_URL go there. */
export interface Endpoints {
  /** The v4 API base URL, as `workerhive start` prints it. */
  api: string
  /** The edge's URL. */
  edge: string
}

export function rememberEndpoints(dataDir: string, endpoints: Endpoints): void {
  writeFileSync(join(dataDir, ENDPOINTS_FILE), JSON.stringify(endpoints, null, 2) + '\n', { mode: 0o600 })
}

/** The endpoints the last start on this data dir listened on (kept after it stops), if any. */
export function rememberedEndpoints(dataDir: string): Endpoints | undefined {
  let raw: string
  try {
    raw = readFileSync(join(dataDir, ENDPOINTS_FILE), 'utf8')
  } catch {
    return undefined
  }
  try {
    const value = JSON.parse(raw) as Partial<Endpoints>
    return typeof value.api === 'string' && typeof value.edge === 'string' ? { api: value.api, edge: value.edge } : undefined
  } catch {
    return undefined
  }
}
