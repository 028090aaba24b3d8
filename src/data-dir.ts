import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
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
  mkdirSync(dataDir, { recursive: true })
  return acquirePidLock(join(dataDir, LOCK_FILE))
}

/** Where a platform started on this data dir listens: API commands without CLOUDFLARE_API_BASE_URL go there. */
export interface Endpoints {
  /** The v4 API base URL, as `workerhive start` prints it. */
  api: string
  /** The edge's URL. */
  edge: string
}

export function rememberEndpoints(dataDir: string, endpoints: Endpoints): void {
  writeFileSync(join(dataDir, ENDPOINTS_FILE), JSON.stringify(endpoints, null, 2) + '\n')
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
