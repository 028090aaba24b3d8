import { fork, type ChildProcess } from 'node:child_process'
import type { EngineReply, EngineRequest, EngineOptions } from './protocol.js'

export interface PoolOptions extends EngineOptions {
  /** Engine processes kept at all times. */
  processes: number
  /**
   * Most engine processes: when a database needs one and every process is busy, another is
   * started, up to this bound, so a few runaway queries cannot hold up every other database.
   */
  maxProcesses?: number
  /** An extra process idle this long is stopped (the pool shrinks back to `processes`). */
  idleMs?: number
  /** A request that runs longer is ended by killing its process (D1's query duration limit). */
  timeoutMs: number
}

/** A request ended because it ran past the duration limit. */
export class QueryTimeout extends Error {}

interface Pending {
  id: number
  request: EngineRequest
  resolve(reply: EngineReply): void
  reject(err: Error): void
}

/** Extra processes beyond the kept ones, and how long an idle one lives. */
const DEFAULT_EXTRA_PROCESSES = 6
const DEFAULT_IDLE_MS = 30_000

/**
 * better-sqlite3 is synchronous, so D1's queries never run on Node's main thread: they run in a
 * few engine processes (runner.ts), one request at a time each. A database's requests all go to
 * one process (an idle one when it had none in flight), so they run one after the other in
 * arrival order. A request past the duration limit gets its process killed (SIGKILL), which ends
 * the query wherever it is, even deep in SQLite's C code; the process is replaced and the requests
 * queued behind it go on. Other processes, and the main thread, never wait for it.
 *
 * A query can spin for the whole limit (30 s), so a fixed few processes would let a few runaway
 * queries, of one tenant or of several, hold up every other database. When a database needs a
 * process and none is idle, the pool starts another, up to `maxProcesses`; extra processes idle
 * for `idleMs` are stopped. Only past that bound does a database queue behind a busy one.
 */
export class EnginePool {
  readonly #options: PoolOptions
  readonly #lanes: Lane[]
  /** Databases with requests in flight, and the lane they are pinned to until all have answered. */
  readonly #pins = new Map<string, { lane: Lane; pending: number }>()
  /** Idle lanes beyond the kept ones, and the timer that stops each. */
  readonly #reaping = new Map<Lane, NodeJS.Timeout>()
  #closed = false

  constructor(options: PoolOptions) {
    this.#options = options
    this.#lanes = Array.from({ length: Math.max(1, options.processes) }, () => new Lane(options))
  }

  /** Engine lanes (kept and extra); a lane starts its process with its first request. */
  get size(): number {
    return this.#lanes.length
  }

  /** Lanes with a request queued or running. */
  get busy(): number {
    return this.#lanes.filter((l) => l.load > 0).length
  }

  run(request: EngineRequest): Promise<EngineReply> {
    const { file } = request
    let pin = this.#pins.get(file)
    if (!pin) {
      pin = { lane: this.#idlest(), pending: 0 }
      this.#pins.set(file, pin)
    }
    pin.pending++
    const lane = pin.lane
    this.#keep(lane)
    const settled = (): void => {
      if (--pin.pending === 0) this.#pins.delete(file)
      if (lane.load === 0) this.#idle(lane)
    }
    const reply = lane.enqueue(request)
    reply.then(settled, settled)
    return reply
  }

  /**
   * Closes a database's handles in every process (a database may have been served by any of them),
   * before its file is deleted or replaced. Callers keep the database's other requests apart.
   */
  async closeFile(file: string): Promise<void> {
    await Promise.all(
      this.#lanes.map(async (lane) => {
        this.#keep(lane)
        try {
          await lane.enqueue({ op: 'close', file })
        } finally {
          if (lane.load === 0) this.#idle(lane)
        }
      }),
    )
  }

  async close(): Promise<void> {
    this.#closed = true
    for (const timer of this.#reaping.values()) clearTimeout(timer)
    this.#reaping.clear()
    await Promise.all(this.#lanes.map((l) => l.close()))
  }

  /** An idle lane, else a new one while under the bound, else the least busy. */
  #idlest(): Lane {
    const best = this.#lanes.reduce((a, l) => (l.load < a.load ? l : a))
    const max = Math.max(this.#options.processes, this.#options.maxProcesses ?? this.#options.processes + DEFAULT_EXTRA_PROCESSES)
    if (best.load === 0 || this.#lanes.length >= max || this.#closed) return best
    const lane = new Lane(this.#options)
    this.#lanes.push(lane)
    return lane
  }

  #keep(lane: Lane): void {
    clearTimeout(this.#reaping.get(lane))
    this.#reaping.delete(lane)
  }

  /** A lane went idle: past the kept count, it is stopped unless it gets work within `idleMs`. */
  #idle(lane: Lane): void {
    if (this.#closed || this.#lanes.length <= this.#options.processes || this.#reaping.has(lane)) return
    const timer = setTimeout(() => {
      this.#reaping.delete(lane)
      const at = this.#lanes.indexOf(lane)
      if (lane.load > 0 || at < 0 || this.#lanes.length <= this.#options.processes) return
      this.#lanes.splice(at, 1)
      void lane.close()
    }, this.#options.idleMs ?? DEFAULT_IDLE_MS)
    // An idle process must not keep Node alive.
    timer.unref()
    this.#reaping.set(lane, timer)
  }
}

/** One engine process and the queue of requests waiting for it. */
class Lane {
  readonly #options: PoolOptions
  #worker: ChildProcess | undefined
  /** The process has loaded and said so; requests are sent (and timed) only then. */
  #ready = false
  /** The current request has been sent. */
  #sent = false
  #queue: Pending[] = []
  #current: Pending | undefined
  #timer: NodeJS.Timeout | undefined
  #nextId = 1
  #closed = false

  /** Requests queued or running. */
  get load(): number {
    return this.#queue.length + (this.#current ? 1 : 0)
  }

  constructor(options: PoolOptions) {
    this.#options = options
  }

  enqueue(request: EngineRequest): Promise<EngineReply> {
    if (this.#closed) return Promise.reject(new Error('the D1 engine is closed'))
    // A lane without a process holds no handles: nothing to close, and no process to start for it.
    if (request.op === 'close' && !this.#worker && this.load === 0) return Promise.resolve({ ok: true })
    return new Promise((resolve, reject) => {
      this.#queue.push({ id: this.#nextId++, request, resolve, reject })
      this.#pump()
    })
  }

  async close(): Promise<void> {
    this.#closed = true
    for (const p of this.#queue.splice(0)) p.reject(new Error('the D1 engine is closed'))
    clearTimeout(this.#timer)
    const worker = this.#worker
    this.#worker = undefined
    this.#current?.reject(new Error('the D1 engine is closed'))
    this.#current = undefined
    if (worker && worker.exitCode === null && worker.signalCode === null) {
      const exited = new Promise((resolve) => worker.once('exit', resolve))
      worker.kill('SIGKILL')
      await exited
    }
  }

  #spawn(): ChildProcess {
    const options: EngineOptions = { maxDatabaseBytes: this.#options.maxDatabaseBytes }
    const worker = fork(new URL('./runner.js', import.meta.url), [JSON.stringify(options)], {
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      execArgv: [],
    })
    this.#ready = false
    worker.on('message', (m: { id: number; reply: EngineReply } | { ready: true }) => {
      if ('ready' in m) {
        if (this.#worker !== worker) return
        this.#ready = true
        this.#send()
        return
      }
      const current = this.#current
      if (!current || current.id !== m.id) return
      this.#finish()
      current.resolve(m.reply)
    })
    worker.on('error', (err) => this.#lost(err))
    worker.on('exit', () => {
      if (this.#worker === worker) this.#lost(new Error('the D1 engine process exited'))
    })
    return worker
  }

  #pump(): void {
    if (this.#current || this.#closed) return
    const next = this.#queue.shift()
    if (!next) return
    this.#current = next
    this.#sent = false
    this.#worker ??= this.#spawn()
    this.#send()
  }

  /** Sends the current request once the process is ready, and starts its clock. */
  #send(): void {
    const current = this.#current
    if (!current || this.#sent || !this.#ready || !this.#worker) return
    this.#sent = true
    this.#timer = setTimeout(() => this.#timeout(), this.#options.timeoutMs)
    this.#worker.send({ id: current.id, request: current.request })
  }

  #finish(): void {
    clearTimeout(this.#timer)
    this.#current = undefined
    queueMicrotask(() => this.#pump())
  }

  #timeout(): void {
    const current = this.#current
    const worker = this.#worker
    this.#worker = undefined
    this.#finish()
    worker?.kill('SIGKILL')
    current?.reject(new QueryTimeout('D1 DB exceeded its query duration limit'))
  }

  /** The process died under a request: that request fails, the next ones get a new process. */
  #lost(err: Error): void {
    const current = this.#current
    this.#worker = undefined
    if (!current) return
    this.#finish()
    current.reject(err)
  }
}
