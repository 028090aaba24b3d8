import type { ContainmentRecord, Store } from '../storage/store.js'
import type { Logger } from '../util/logger.js'
import type { Containment, ContainmentEntry } from './containment.js'
import { scriptKeyOf, scriptRefOf } from './events.js'

const toRecord = ({ key, ...entry }: ContainmentEntry): ContainmentRecord => ({ ...scriptRefOf(key), ...entry })

const toEntry = (r: ContainmentRecord): ContainmentEntry => ({
  key: scriptKeyOf(r),
  status: r.status,
  reason: r.reason === 'memory' ? 'memory' : 'cpu',
  strikes: r.strikes,
  until: r.until,
})

/**
 * Keeps a node's containment in the store. Decisions are made and read in memory (the edge asks on
 * every invocation); they are loaded at start, written through as they are made, and announced on
 * the store's change feed, so a restarted node or another node refuses the same scripts.
 * Writes and reloads run one at a time, in order, so a reload never reads the store before this
 * node's own earlier writes are in.
 */
export class SharedContainment {
  readonly #store: Pick<Store, 'containment' | 'changes'>
  readonly #containment: Containment
  readonly #log: Logger
  readonly #onReload: () => void
  #queue: Promise<void> = Promise.resolve()

  constructor(deps: {
    store: Pick<Store, 'containment' | 'changes'>
    containment: Containment
    log: Logger
    /** The in-memory state was replaced from the store: tell the processes. */
    onReload: () => void
  }) {
    this.#store = deps.store
    this.#containment = deps.containment
    this.#log = deps.log
    this.#onReload = deps.onReload
    deps.store.changes?.subscribe((change) => {
      // After a reconnect the feed may have missed a containment change too.
      if (change.kind === 'containment' || change.kind === 'everything') void this.reload()
    })
  }

  /** Reads what is in force; throws when the store cannot answer (the edge must not start blind). */
  async load(): Promise<void> {
    this.#containment.restore((await this.#store.containment.active()).map(toEntry))
  }

  /** Writes entries this node just decided, then tells the other nodes. */
  written(entries: ContainmentEntry[]): Promise<void> {
    if (entries.length === 0) return this.#queue
    return this.#enqueue(async () => {
      await this.#store.containment.put(entries.map(toRecord))
      await this.#store.changes?.publish({ kind: 'containment' })
    }, 'could not store a containment decision; it holds on this node until it expires or the node restarts')
  }

  /** Another node changed containment: replace ours with the store's. */
  reload(): Promise<void> {
    return this.#enqueue(async () => {
      await this.load()
      this.#onReload()
    }, 'could not reload containment from the store')
  }

  /** Resolves once every write and reload asked for so far has finished. */
  settled(): Promise<void> {
    return this.#queue
  }

  #enqueue(work: () => Promise<void>, failure: string): Promise<void> {
    this.#queue = this.#queue.then(work).catch((err: unknown) => this.#log.warn({ err }, failure))
    return this.#queue
  }
}
