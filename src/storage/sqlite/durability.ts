import { closeSync, fsync, fsyncSync, openSync } from 'node:fs'
import type { Db } from './database.js'

/**
 * Resolves `flush()` once an fsync that started after the call has finished, so whatever was
 * committed before the call is on disk; callers that come while one runs share the next one.
 * This is the group commit: N concurrent writes cost one or two fsyncs, not N.
 */
export class SyncBarrier {
  readonly #sync: () => Promise<void>
  #running: Promise<void> | undefined
  #next: Promise<void> | undefined

  constructor(sync: () => Promise<void>) {
    this.#sync = sync
  }

  flush(): Promise<void> {
    if (this.#next) return this.#next
    if (!this.#running) return this.#start()
    // The running fsync may have started before the caller's commit: wait for the one after it.
    const next = this.#running.then(
      () => this.#start(),
      () => this.#start(),
    )
    this.#next = next
    return next
  }

  #start(): Promise<void> {
    this.#next = undefined
    const run = this.#sync().finally(() => {
      if (this.#running === run) this.#running = undefined
    })
    this.#running = run
    return run
  }
}

/**
 * Commits without an fsync on the event loop (`synchronous = NORMAL`: SQLite still syncs around
 * checkpoints), and every store call that changed rows answers only after the WAL was fsynced
 * from the thread pool. Acknowledged writes stay durable across kill -9 and power loss, as with
 * `synchronous = FULL`, while concurrent writes share fsyncs and the API keeps serving meanwhile.
 */
export function durableWrites(db: Db, file: string): { wrap<T extends object>(area: T): T; close(): Promise<void> } {
  if (file === ':memory:') return { wrap: (area) => area, close: async () => {} }
  db.pragma('synchronous = NORMAL')
  // SQLite keeps the WAL file while the database is open; created here with the database's mode.
  const wal = openSync(`${file}-wal`, 'a', 0o600)
  // What migrations wrote on open is durable before anything is served.
  fsyncSync(wal)
  const barrier = new SyncBarrier(
    () => new Promise<void>((resolve, reject) => fsync(wal, (err) => (err ? reject(err) : resolve()))),
  )
  const changes = db.prepare<[], number>('SELECT total_changes()').pluck()
  const wrap = <T extends object>(area: T): T =>
    new Proxy(area, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver)
        if (typeof value !== 'function') return value
        return (...args: unknown[]) => {
          const before = changes.get()
          const result: unknown = Reflect.apply(value, target, args)
          if (!(result instanceof Promise)) return result
          return result.then(async (out: unknown) => {
            if (changes.get() !== before) await barrier.flush()
            return out
          })
        }
      },
    })
  return {
    wrap,
    // Writes still waiting for their fsync get it before the file is closed under them.
    close: async () => {
      await barrier.flush().catch(() => {})
      closeSync(wal)
    },
  }
}
