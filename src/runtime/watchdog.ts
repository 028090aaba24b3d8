import { readFileSync } from 'node:fs'
import { HEADER_INTERNAL_SECRET } from '../shared/headers.js'
import { CONTAINMENT_MARK, CONTROL, isStartupCheckKey } from '../shared/protocol.js'
import type { Logger } from '../util/logger.js'
import type { Containment, ContainmentEntry, Offence } from './containment.js'
import type { EdgeProcess } from './supervisor.js'

export interface WatchdogOptions {
  /** How often each process is asked for /health. @default 100 */
  probeIntervalMs: number
  /** A process that has not answered within this is stuck and is killed. @default 250 */
  probeTimeoutMs: number
  /** RSS above which a process is killed (catches ArrayBuffers, which escape the V8 heap cap). */
  rssLimitBytes: number
  /** Isolates one process may load before it is recycled (the Worker Loader never evicts). */
  maxIsolates: number
}

export interface WatchdogTarget {
  processes(): EdgeProcess[]
  kill(index: number): void
  recycle(index: number, graceMs: number): void
}

const RECYCLE_GRACE_MS = 10_000
/** Share of a probe's wait a process must have spent on the CPU to count as stuck. */
const BUSY_SHARE = 0.25
const CLOCK_TICK_MS = 10 // Linux reports process CPU time in USER_HZ = 100 ticks per second

export interface Invocation {
  key: string
  startedAt: number
}

/**
 * Enforces what workerd does not: a process whose JS thread stops answering (a tenant's busy
 * loop), crashes (V8 heap limit) or grows past its memory budget is killed and restarted, and the
 * scripts that were running in it become suspects (see Containment). Everything here is out of
 * band: probes go to each process's control socket, invocation marks arrive on its stdout.
 */
export class Watchdog {
  readonly containment: Containment
  readonly #opts: WatchdogOptions
  readonly #target: WatchdogTarget
  readonly #secret: string
  readonly #nonce: string
  readonly #log: Logger
  readonly #push: () => Promise<void>
  readonly #onCounts: ((counts: Record<string, Record<string, number>>) => void) | undefined
  readonly #onContainment: ((changed: ContainmentEntry[]) => void) | undefined
  readonly #inflight = new Map<number, Map<number, Invocation>>()
  readonly #probing = new Set<number>()
  readonly #refused = new Map<number, number>()
  /** Invocation marks seen per process: progress, as opposed to a stuck thread. */
  readonly #marks = new Map<number, number>()
  /** Process index → why the watchdog killed it, so the exit is not counted as a crash too. */
  readonly #killedBy = new Map<number, Offence | 'recycle'>()
  #timer: ReturnType<typeof setInterval> | undefined
  #expiryTimer: ReturnType<typeof setTimeout> | undefined
  kills = 0
  recycles = 0

  constructor(deps: {
    target: WatchdogTarget
    secret: string
    nonce: string
    log: Logger
    options: WatchdogOptions
    /** Who is on probation or refused; decided here, loaded and shared by the caller. */
    containment: Containment
    /** Sends the current containment state to every process. */
    push: () => Promise<void>
    /** Invocation counters a probe brought back (script key → outcome → count). */
    onCounts?: (counts: Record<string, Record<string, number>>) => void
    /** Entries an incident just wrote (to keep them beyond this process). */
    onContainment?: (changed: ContainmentEntry[]) => void
  }) {
    this.#onCounts = deps.onCounts
    this.#onContainment = deps.onContainment
    this.#target = deps.target
    this.#secret = deps.secret
    this.#nonce = deps.nonce
    this.#log = deps.log
    this.#opts = deps.options
    this.#push = deps.push
    this.containment = deps.containment
  }

  start(): void {
    this.#timer = setInterval(() => this.#tick(), this.#opts.probeIntervalMs)
    this.#timer.unref()
  }

  stop(): void {
    clearInterval(this.#timer)
    clearTimeout(this.#expiryTimer)
  }

  /** A stdout line of process `index`: an invocation mark, or a tenant's console output. */
  onStdout(index: number, line: string): boolean {
    if (!line.startsWith(this.#nonce)) return false
    const rest = line.slice(this.#nonce.length)
    const table = this.#table(index)
    this.#marks.set(index, (this.#marks.get(index) ?? 0) + 1)
    if (rest.startsWith(CONTAINMENT_MARK.start)) {
      const body = rest.slice(CONTAINMENT_MARK.start.length)
      const space = body.indexOf(' ')
      table.set(Number(body.slice(0, space)), { key: decodeURIComponent(body.slice(space + 1)), startedAt: Date.now() })
    } else if (rest.startsWith(CONTAINMENT_MARK.end)) {
      table.delete(Number(rest.slice(CONTAINMENT_MARK.end.length)))
    }
    return true
  }

  /** A process exited: a crash we did not cause (an OOM abort) makes its running scripts suspects. */
  onExit(index: number, role: EdgeProcess['role'], code: number | null, signal: string | null): void {
    const killedFor = this.#killedBy.get(index)
    this.#killedBy.delete(index)
    const suspects = primarySuspect([...this.#table(index).values()], 'memory')
    this.#inflight.delete(index)
    this.#marks.delete(index)
    this.#probing.delete(index)
    if (killedFor !== undefined) return
    this.#log.warn({ workerd: index, code, signal, suspects }, 'workerd crashed')
    this.#incident(suspects, role === 'probation', 'memory')
  }

  #table(index: number): Map<number, Invocation> {
    let t = this.#inflight.get(index)
    if (!t) this.#inflight.set(index, (t = new Map()))
    return t
  }

  #tick(): void {
    for (const p of this.#target.processes()) {
      if (p.state !== 'ready' || !p.controlPort) continue
      this.#checkRss(p)
      // A process being recycled or killed is on its way out: no probe may make it an incident.
      if (this.#probing.has(p.index) || this.#killedBy.has(p.index)) continue
      void this.#probe(p)
    }
  }

  async #probe(p: EdgeProcess): Promise<void> {
    this.#probing.add(p.index)
    const sentAt = Date.now()
    const cpuAtSend = p.pid ? cpuMillis(p.pid) : undefined
    const ioAtSend = p.pid ? eventLoopSyscalls(p.pid) : undefined
    const marksAtSend = this.#marks.get(p.index) ?? 0
    try {
      const res = await fetch(`http://127.0.0.1:${p.controlPort}${CONTROL.health}`, {
        headers: { [HEADER_INTERNAL_SECRET]: this.#secret },
        signal: AbortSignal.timeout(this.#opts.probeTimeoutMs),
      })
      const health = (await res.json()) as { isolates?: number; counts?: Record<string, Record<string, number>> }
      this.#refused.delete(p.index)
      if (health.counts && Object.keys(health.counts).length > 0) this.#onCounts?.(health.counts)
      if ((health.isolates ?? 0) > this.#opts.maxIsolates) this.#recycle(p, `${health.isolates} isolates loaded`)
    } catch (err) {
      if (this.#target.processes()[p.index]?.pid !== p.pid) return // already replaced
      // A stuck process accepts the probe and never answers; one that refuses it is usually
      // dying (a V8 heap abort takes a few milliseconds), and its exit tells why. Only a refusal
      // that persists counts as stuck.
      if (!isTimeout(err)) {
        const refusals = (this.#refused.get(p.index) ?? 0) + 1
        this.#refused.set(p.index, refusals)
        if (refusals < 3) return
      }
      this.#refused.delete(p.index)
      // A late answer is not proof of a stuck thread: Node itself may have been busy (a long
      // fsync), the machine may have starved workerd of CPU, or workerd may be saturated with
      // requests queued ahead of the probe. A stuck thread burns CPU and makes no progress: its
      // event loop issues no read or write at all. Anything else gets another probe.
      const elapsed = Date.now() - sentAt
      const cpuUsed = cpuAtSend !== undefined && p.pid ? (cpuMillis(p.pid) ?? cpuAtSend) - cpuAtSend : elapsed
      const ioNow = p.pid ? eventLoopSyscalls(p.pid) : undefined
      const progressed =
        (this.#marks.get(p.index) ?? 0) !== marksAtSend ||
        (ioAtSend !== undefined && ioNow !== undefined && ioNow > ioAtSend)
      if (progressed || cpuUsed < elapsed * BUSY_SHARE) {
        this.#log.debug({ workerd: p.index, elapsed, cpuUsed, progressed }, 'late probe, but the process is not stuck')
        return
      }
      // Only what was already running when the probe went out can have blocked it.
      const suspects = primarySuspect([...this.#table(p.index).values()].filter((i) => i.startedAt <= sentAt), 'cpu')
      this.#log.warn(
        { workerd: p.index, pid: p.pid, suspects, waitedMs: Date.now() - sentAt },
        suspects.length > 0
          ? 'workerd stopped answering; killing it'
          : 'workerd stopped answering with no user Worker running (an account-level Worker of the platform is stuck); killing it',
      )
      this.#kill(p, 'cpu', suspects)
    } finally {
      this.#probing.delete(p.index)
    }
  }

  #checkRss(p: EdgeProcess): void {
    if (!p.pid) return
    const rss = rssBytes(p.pid)
    if (rss === undefined) return
    // Over budget, even while draining for a recycle: something is allocating. Kill it. (Growth
    // from idle isolates is bounded by maxIsolates, which recycles first.)
    const planned = this.#killedBy.get(p.index)
    if (rss <= this.#opts.rssLimitBytes || (planned !== undefined && planned !== 'recycle')) return
    const suspects = primarySuspect([...this.#table(p.index).values()], 'memory')
    this.#log.warn({ workerd: p.index, pid: p.pid, rss, suspects }, 'workerd over its memory budget; killing it')
    this.#kill(p, 'memory', suspects)
  }

  /** One graceful recycle at a time, so the pool never loses more than one process at once. */
  #recycle(p: EdgeProcess, why: string): void {
    if (this.#killedBy.size > 0) return
    this.recycles++
    this.#killedBy.set(p.index, 'recycle')
    this.#log.info({ workerd: p.index, pid: p.pid, why }, 'recycling workerd process')
    this.#target.recycle(p.index, RECYCLE_GRACE_MS)
  }

  #kill(p: EdgeProcess, why: Offence, suspects: string[]): void {
    this.kills++
    this.#killedBy.set(p.index, why)
    this.#target.kill(p.index)
    this.#incident(suspects, p.role === 'probation', why)
  }

  #incident(suspects: string[], inProbation: boolean, why: Offence): void {
    // A startup check that broke a limit is refused with its upload; there is no script to contain.
    const scripts = suspects.filter((key) => !isStartupCheckKey(key))
    const changed = this.containment.recordIncident(scripts, inProbation, why)
    if (changed.length === 0) return
    this.#onContainment?.(changed)
    this.refreshContainment()
  }

  /** The containment state changed (here, or read back from the store): tell every process. */
  refreshContainment(): void {
    void this.#push()
    this.#scheduleExpiry()
  }

  #scheduleExpiry(): void {
    clearTimeout(this.#expiryTimer)
    const next = this.containment.nextExpiry()
    if (next === undefined) return
    this.#expiryTimer = setTimeout(() => {
      void this.#push()
      this.#scheduleExpiry()
    }, Math.max(0, next - Date.now()) + 10)
    this.#expiryTimer.unref()
  }
}

const isTimeout = (err: unknown): boolean =>
  err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')

/**
 * The one invocation an incident is blamed on (an empty list when nothing ran), out of those in
 * flight when it happened. Every in-flight invocation is not a suspect: most are innocent tenants
 * that were waiting on I/O, and blaming them all let one hostile tenant get good ones convicted.
 *
 * - A dispatch Worker waiting on a user Worker is in flight too, but it is the platform's own code:
 *   when user Workers (keys with a namespace) were running, only they are considered.
 * - A stuck thread stops every other invocation from starting, so for CPU the most recently started
 *   invocation is blamed (exact for a Worker that loops before awaiting anything).
 * - Memory grows over time, so for memory the longest-running invocation is blamed.
 *
 * - An upload's startup check (in the probation process) is blamed before any script.
 *
 * A wrong guess only sends an innocent script to the probation process, where it runs fine; a
 * script is convicted only for an incident in that process (see Containment).
 */
export function primarySuspect(inflight: Invocation[], why: Offence): string[] {
  // A startup check runs code nobody has run before, to its end, in one go: when one was in flight
  // it is the likeliest culprit, and blaming it convicts nobody (see #incident).
  const check = inflight.find((i) => isStartupCheckKey(i.key))
  if (check) return [check.key]
  const user = inflight.filter((i) => i.key.split('/')[1] !== '')
  const pool = user.length > 0 ? user : inflight
  if (pool.length === 0) return []
  const pick = pool.reduce((a, b) => (why === 'cpu' ? (b.startedAt >= a.startedAt ? b : a) : b.startedAt < a.startedAt ? b : a))
  return [pick.key]
}

/** RSS of a process and its descendants (in a sandbox, workerd is a grandchild of the pid we hold). */
function rssBytes(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    const match = /^VmRSS:\s+(\d+) kB/m.exec(status)
    let total = match ? Number(match[1]) * 1024 : 0
    for (const child of childrenOf(pid)) total += rssBytes(child) ?? 0
    return total
  } catch {
    return undefined
  }
}

/**
 * Read and write syscalls of workerd's main thread, where its event loop and all JS run (in a
 * sandbox, workerd is a descendant of the pid we hold). A thread stuck in JS makes none.
 */
function eventLoopSyscalls(pid: number): number | undefined {
  const workerd = findWorkerd(pid)
  if (workerd === undefined) return undefined
  try {
    const io = readFileSync(`/proc/${workerd}/task/${workerd}/io`, 'utf8')
    const r = /^syscr:\s+(\d+)/m.exec(io)
    const w = /^syscw:\s+(\d+)/m.exec(io)
    return r && w ? Number(r[1]) + Number(w[1]) : undefined
  } catch {
    return undefined
  }
}

function findWorkerd(pid: number): number | undefined {
  try {
    if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'workerd') return pid
  } catch {
    return undefined
  }
  for (const child of childrenOf(pid)) {
    const found = findWorkerd(child)
    if (found !== undefined) return found
  }
  return undefined
}

/** CPU time (user + system) of a process and its descendants, in milliseconds. */
function cpuMillis(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // Fields after the command name (which may contain spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    let total = (Number(fields[11]) + Number(fields[12])) * CLOCK_TICK_MS
    for (const child of childrenOf(pid)) total += cpuMillis(child) ?? 0
    return total
  } catch {
    return undefined
  }
}

function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number)
  } catch {
    return []
  }
}
