import { linkSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs'

/**
 * A lock file held by a live process: it names the holder's pid (and, on Linux, when that process
 * started, so a pid reused after a reboot or a container restart is not mistaken for the holder).
 * A lock left by a process that died without releasing it (kill -9, power loss) is stale and taken
 * over. Node has no flock(), and a pidfile also tells the operator who holds it.
 */
export interface PidLock {
  readonly path: string
  /** Removes the lock if this process still holds it. Idempotent. */
  release(): void
}

export class LockHeldError extends Error {
  constructor(
    readonly path: string,
    /** Undefined when the holder could not be identified (the lock kept changing hands). */
    readonly pid: number | undefined,
  ) {
    super(`${path} is held by ${pid === undefined ? 'another process' : `process ${pid}`}`)
  }
}

interface Owner {
  pid: number
  /** /proc/<pid>/stat start time, in clock ticks since boot; absent where /proc is not. */
  started?: string
}

/** Locks held by this process: its own pid in a lock file says nothing about which of its starts holds it. */
const heldHere = new Set<string>()

/** Takes the lock at `path` (its directory must exist) or throws LockHeldError naming the live holder. */
export function acquirePidLock(path: string): PidLock {
  const started = procStat(process.pid)?.started
  const me: Owner = started === undefined ? { pid: process.pid } : { pid: process.pid, started }
  const content = JSON.stringify(me) + '\n'
  // The content is written to a private file first and linked into place, so a reader never sees a
  // half-written lock, and link() fails when the lock exists (an O_EXCL create, atomically filled).
  const scratch = `${path}.${process.pid}.tmp`
  writeFileSync(scratch, content)
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        linkSync(scratch, path)
        heldHere.add(path)
        const exitHook = () => release()
        const release = () => {
          process.off('exit', exitHook)
          if (!heldHere.delete(path)) return
          if (readIfExists(path) === content) unlinkSync(path)
        }
        // A crash that never reaches stop() still frees the lock (kill -9 leaves it stale instead).
        process.on('exit', exitHook)
        return { path, release }
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
      }
      const raw = readIfExists(path)
      if (raw === undefined) continue // released between our link() and read: try again
      const owner = parseOwner(raw)
      if (owner && isLive(owner, path)) throw new LockHeldError(path, owner.pid)
      // Stale. Two processes taking over the same stale lock at the same instant could both win;
      // the window is the few microseconds between this read and the unlink.
      if (readIfExists(path) === raw) unlinkSync(path)
    }
    throw new LockHeldError(path, undefined)
  } finally {
    unlinkSync(scratch)
  }
}

function isLive(owner: Owner, path: string): boolean {
  if (owner.pid === process.pid) return heldHere.has(path)
  try {
    process.kill(owner.pid, 0)
  } catch (err) {
    // EPERM: the process exists but belongs to another user.
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false
  }
  const stat = procStat(owner.pid)
  if (!stat) return true
  // A holder killed with -9 stays a zombie until its parent reaps it (a container's pid 1 may never).
  if (stat.state === 'Z' || stat.state === 'X') return false
  return owner.started === undefined || stat.started === owner.started
}

/** State and start time (fields 3 and 22) of /proc/<pid>/stat, where /proc exists. */
function procStat(pid: number): { state: string; started: string } | undefined {
  const stat = readIfExists(`/proc/${pid}/stat`)
  if (!stat) return undefined
  // After the command name, which may hold spaces and parentheses.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return { state: fields[0]!, started: fields[19]! }
}

function parseOwner(raw: string): Owner | undefined {
  try {
    const { pid, started } = JSON.parse(raw) as { pid?: unknown; started?: unknown }
    if (typeof pid !== 'number' || !Number.isInteger(pid) || pid <= 0) return undefined
    return typeof started === 'string' ? { pid, started } : { pid }
  } catch {
    return undefined
  }
}

function readIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
}
