import { Worker } from 'node:worker_threads'
import type { EngineReply, EngineRequest, ThreadOptions } from './protocol.js'

export interface PoolOptions extends ThreadOptions {
  /** Worker threads; each database is pinned to one. */
  threads: number
  /** A request that runs longer is ended by terminating its thread (D1's query duration limit). */
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

/**
 * better-sqlite3 is synchronous, so D1's queries never run on Node's main thread: they run on a
 * few worker threads, each database pinned to one thread (by its file name), one request at a
 * time per thread, in arrival order. A request past the duration limit gets its thread
 * terminated, which ends the query wherever it is; the thread is replaced and the requests queued
 * behind it go on. Other threads, and the main thread, never wait for it.
 */
export class EnginePool {
  readonly #lanes: Lane[]

  constructor(options: PoolOptions) {
    this.#lanes = Array.from({ length: Math.max(1, options.threads) }, () => new Lane(options))
  }

  run(request: EngineRequest): Promise<EngineReply> {
    return this.#laneOf(request.file).enqueue(request)
  }

  async close(): Promise<void> {
    await Promise.all(this.#lanes.map((l) => l.close()))
  }

  #laneOf(file: string): Lane {
    let h = 0
    for (let i = 0; i < file.length; i++) h = (h * 31 + file.charCodeAt(i)) >>> 0
    return this.#lanes[h % this.#lanes.length]!
  }
}

/** One worker thread and the queue of requests waiting for it. */
class Lane {
  readonly #options: PoolOptions
  #worker: Worker | undefined
  #queue: Pending[] = []
  #current: Pending | undefined
  #timer: NodeJS.Timeout | undefined
  #nextId = 1
  #closed = false

  constructor(options: PoolOptions) {
    this.#options = options
  }

  enqueue(request: EngineRequest): Promise<EngineReply> {
    if (this.#closed) return Promise.reject(new Error('the D1 engine is closed'))
    return new Promise((resolve, reject) => {
      this.#queue.push({ id: this.#nextId++, request, resolve, reject })
      this.#pump()
    })
  }

  async close(): Promise<void> {
    this.#closed = true
    for (const p of this.#queue.splice(0)) p.reject(new Error('the D1 engine is closed'))
    clearTimeout(this.#timer)
    await this.#worker?.terminate()
    this.#worker = undefined
  }

  #spawn(): Worker {
    const worker = new Worker(new URL('./thread.js', import.meta.url), {
      workerData: { maxDatabaseBytes: this.#options.maxDatabaseBytes } satisfies ThreadOptions,
    })
    worker.unref()
    worker.on('message', (m: { id: number; reply: EngineReply }) => {
      const current = this.#current
      if (!current || current.id !== m.id) return
      this.#finish()
      current.resolve(m.reply)
    })
    worker.on('error', (err) => this.#lost(err))
    worker.on('exit', () => {
      if (this.#worker === worker) this.#lost(new Error('the D1 worker thread exited'))
    })
    return worker
  }

  #pump(): void {
    if (this.#current || this.#closed) return
    const next = this.#queue.shift()
    if (!next) return
    this.#current = next
    this.#worker ??= this.#spawn()
    this.#timer = setTimeout(() => this.#timeout(), this.#options.timeoutMs)
    this.#worker.postMessage({ id: next.id, request: next.request })
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
    void worker?.terminate()
    current?.reject(new QueryTimeout('D1 DB exceeded its query duration limit'))
  }

  /** The thread died under a request: that request fails, the next ones get a new thread. */
  #lost(err: Error): void {
    const current = this.#current
    this.#worker = undefined
    if (!current) return
    this.#finish()
    current.reject(err)
  }
}
