import { readFileSync } from 'node:fs'
import { HEADER_INTERNAL_SECRET } from '../shared/headers.js'
import { CONTAINMENT_MARK, CONTROL, isStartupCheckKey } from '../shared/protocol.js'
import { emptyCounters, minuteOf, type DrainBatch, type DrainedUsage } from '../shared/usage.js'
import type { Logger } from '../util/logger.js'
import type { Containment, ContainmentEntry, Offence } from './containment.js'
import type { EdgeProcess } from './supervisor.js'

export interface WatchdogOptions {
  /** How often each process is asked for /health. @default 100 */
  probeIntervalMs: number
  /**
   * CPU time its JS thread may spend with no sign of progress (no write, no invocation mark) before
   * a process is stuck and is killed; also how long a /health probe may take. A stopped process
   * (SIGSTOP) is replaced after one probe interval without progress. A late probe alone is never an incident. @default 250
   */
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
const CLOCK_TICK_MS = 10 // Linux reports process CPU time in USER_HZ = 100 ticks per second

/** The last sign of progress of one process's JS thread (see #watch). */
interface Progress {
  /** workerd's pid, whose main thread runs the event loop and all JS. */
  thread: number
  /** The thread's CPU time (ms) and wall time at the last sign of progress. */
  cpuMs: number
  at: number
  writes: number
  marks: number
  answers: number
}

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
  readonly #onUsage: ((usage: DrainedUsage[]) => void) | undefined
  readonly #inflight = new Map<number, Map<number, Invocation>>()
  readonly #probing = new Set<number>()
  readonly #refused = new Map<number, number>()
  /** Invocation marks seen per process: progress, as opposed to a stuck thread. */
  readonly #marks = new Map<number, number>()
  /** Probes answered per process: progress too. */
  readonly #answers = new Map<number, number>()
  readonly #progress = new Map<number, Progress>()
  /** Per workerd pid: the last drain batch taken (see DrainBatch). */
  readonly #acked = new Map<number, number>()
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
    /** Usage records a probe brought back, and one invocation per suspect of a kill (exceededCpu/exceededMemory). */
    onUsage?: (usage: DrainedUsage[]) => void
  }) {
    this.#onUsage = deps.onUsage
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
    this.#answers.delete(index)
    this.#progress.delete(index)
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
      // A process being recycled or killed is on its way out: nothing may make it an incident.
      if (this.#killedBy.has(p.index)) continue
      this.#watch(p)
      if (this.#probing.has(p.index) || this.#killedBy.has(p.index)) continue
      void this.#probe(p)
    }
  }

  /**
   * Stuck or stalled, from the JS thread itself rather than from a probe's latency (a probe is late
   * whenever the machine is loaded, and killing on that killed healthy processes). Progress is a
   * write by workerd's main thread (a response, a mark, a probe's answer), an invocation mark, or
   * an answered probe. Stuck: the thread spent probeTimeoutMs of its own CPU time since its last
   * progress (a thread starved of CPU by a loaded machine accrues none, so it is never stuck).
   * Stalled: the thread is stopped (SIGSTOP) and made no progress for a probe interval. Anything
   * /proc cannot tell (descriptors exhausted, the process gone) is unknown, never stuck.
   */
  #watch(p: EdgeProcess): void {
    if (!p.pid) return
    const previous = this.#progress.get(p.index)
    const thread = previous !== undefined && isAlive(previous.thread) ? previous.thread : findWorkerd(p.pid)
    if (thread === undefined) return
    const sample = jsThreadSample(thread)
    if (sample === undefined) return
    const marks = this.#marks.get(p.index) ?? 0
    const answers = this.#answers.get(p.index) ?? 0
    const now = Date.now()
    if (
      previous === undefined ||
      previous.thread !== thread ||
      previous.writes !== sample.writes ||
      previous.marks !== marks ||
      previous.answers !== answers
    ) {
      this.#progress.set(p.index, { thread, cpuMs: sample.cpuMs, at: now, writes: sample.writes, marks, answers })
      return
    }
    const stalledMs = now - previous.at
    const burnedMs = sample.cpuMs - previous.cpuMs
    if (sample.stopped) {
      // Unambiguous, unlike a slow answer: two samples in a row (one probe interval) suffice.
      if (stalledMs < this.#opts.probeIntervalMs) return
      // Stopped from outside (or a debugger): no tenant did this, so nobody is blamed.
      this.#log.warn({ workerd: p.index, pid: p.pid, stalledMs }, 'workerd is stopped and makes no progress; replacing it')
      this.#kill(p, 'cpu', [])
      return
    }
    if (burnedMs < this.#opts.probeTimeoutMs) return
    // The thread burned CPU with no progress at all: it is in JS that does not yield. The culprit
    // started before progress stopped (its start mark was progress); the latest such is blamed.
    const suspects = primarySuspect([...this.#table(p.index).values()].filter((i) => i.startedAt <= previous.at), 'cpu')
    this.#log.warn(
      { workerd: p.index, pid: p.pid, suspects, burnedMs, stalledMs },
      suspects.length > 0
        ? 'workerd stopped answering; killing it'
        : 'workerd stopped answering with no user Worker running (an account-level Worker of the platform is stuck); killing it',
    )
    this.#kill(p, 'cpu', suspects)
  }

  async #probe(p: EdgeProcess): Promise<void> {
    this.#probing.add(p.index)
    try {
      const health = await this.#health(p, this.#opts.probeTimeoutMs)
      this.#refused.delete(p.index)
      this.#answers.set(p.index, (this.#answers.get(p.index) ?? 0) + 1)
      if ((health.isolates ?? 0) > this.#opts.maxIsolates) this.#recycle(p, `${health.isolates} isolates loaded`)
    } catch (err) {
      if (this.#target.processes()[p.index]?.pid !== p.pid || this.#killedBy.has(p.index)) return // already replaced
      // A late answer proves nothing (#watch judges the thread). A refused connection usually means
      // the process is dying (a V8 heap abort takes a few milliseconds) and its exit tells why;
      // only a refusal that persists is an incident. Any other error (Node out of descriptors) is
      // unknown.
      if (!isRefused(err)) return
      const refusals = (this.#refused.get(p.index) ?? 0) + 1
      this.#refused.set(p.index, refusals)
      if (refusals < 3) return
      this.#refused.delete(p.index)
      this.#log.warn({ workerd: p.index, pid: p.pid }, 'workerd refuses its control connection; killing it')
      this.#kill(p, 'cpu', [])
    } finally {
      this.#probing.delete(p.index)
    }
  }

  /** One health probe: hands over the batches it brings that were not taken yet, and remembers the last. */
  async #health(p: EdgeProcess, timeoutMs: number): Promise<{ isolates?: number }> {
    const acked = p.pid === undefined ? 0 : (this.#acked.get(p.pid) ?? 0)
    const res = await fetch(`http://127.0.0.1:${p.controlPort}${CONTROL.health}?ack=${acked}`, {
      headers: { [HEADER_INTERNAL_SECRET]: this.#secret },
      signal: AbortSignal.timeout(timeoutMs),
    })
    const health = (await res.json()) as { isolates?: number; batches?: DrainBatch[] }
    for (const batch of health.batches ?? []) {
      const last = p.pid === undefined ? 0 : (this.#acked.get(p.pid) ?? 0)
      if (batch.seq <= last) continue
      if (p.pid !== undefined) this.#acked.set(p.pid, batch.seq)
      if (Object.keys(batch.counts).length > 0) this.#onCounts?.(batch.counts)
      if (batch.usage.length > 0) this.#onUsage?.(batch.usage)
    }
    return health
  }

  /** One last probe of every process (shutdown): what they counted since the last probe is handed over. */
  async drain(): Promise<void> {
    await Promise.all(
      this.#target.processes().map(async (p) => {
        try {
          await this.#health(p, 1000)
        } catch {
          // A process that is down or stuck has nothing to give.
        }
      }),
    )
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
    // The killed invocations never reach the host's usage records: the suspects are counted here.
    const killed = suspects.filter((key) => !isStartupCheckKey(key))
    if (this.#onUsage && killed.length > 0) this.#onUsage(killed.map((key) => killedInvocation(key, why)))
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

const isRefused = (err: unknown): boolean =>
  err instanceof Error && (err.cause as { code?: string } | undefined)?.code === 'ECONNREFUSED'

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

/** What /proc says about workerd's main thread, where its event loop and all JS run. */
interface ThreadSample {
  /** CPU time, high resolution where the kernel keeps schedstat. */
  cpuMs: number
  /** Write syscalls (a response, a log line); a thread stuck in JS makes none. */
  writes: number
  stopped: boolean
}

/** undefined when /proc cannot tell (the thread is gone, descriptors are exhausted): unknown. */
function jsThreadSample(pid: number): ThreadSample | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/task/${pid}/stat`, 'utf8')
    // Fields after the command name (which may contain spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    const state = fields[0]
    let cpuMs = (Number(fields[11]) + Number(fields[12])) * CLOCK_TICK_MS
    try {
      cpuMs = Number(readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8').split(' ')[0]) / 1e6
    } catch {
      // no schedstat in this kernel: clock ticks it is
    }
    let writes: number
    try {
      const w = /^syscw:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/task/${pid}/io`, 'utf8'))
      if (!w) return undefined
      writes = Number(w[1])
    } catch {
      // io needs ptrace rights; without them, a voluntary context switch (the loop waiting for I/O) is progress
      const v = /^voluntary_ctxt_switches:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/task/${pid}/status`, 'utf8'))
      if (!v) return undefined
      writes = Number(v[1])
    }
    return Number.isFinite(cpuMs) ? { cpuMs, writes, stopped: state === 'T' || state === 't' } : undefined
  } catch {
    return undefined
  }
}

function isAlive(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'workerd'
  } catch {
    return false
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

function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number)
  } catch {
    return []
  }
}

/** One invocation a kill ended: the suspect's usage record (its CPU and wall time are unknown). */
function killedInvocation(key: string, why: Offence): DrainedUsage {
  return {
    key,
    minute: minuteOf(Date.now()),
    status: why === 'memory' ? 'exceededMemory' : 'exceededCpu',
    ...emptyCounters(),
    requests: 1,
    cpuHistogram: {},
    wallHistogram: {},
  }
}
