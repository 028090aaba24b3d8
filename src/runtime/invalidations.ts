/** What a workerd process drops from its caches (the host's Invalidation, src/host/pipeline/registry.worker.ts). */
export interface Invalidation {
  scripts?: Array<{ accountId: string; namespaceId: string; name: string }>
  routes?: boolean
  all?: boolean
  kv?: Array<{ accountId: string; namespaceId: string; keys?: string[] }>
}

/** One message that drops everything both drop. */
export function mergeInvalidations(a: Invalidation, b: Invalidation): Invalidation {
  const out: Invalidation = {}
  if (a.all || b.all) out.all = true
  if (a.routes || b.routes) out.routes = true
  if (a.scripts || b.scripts) out.scripts = [...(a.scripts ?? []), ...(b.scripts ?? [])]
  if (a.kv || b.kv) out.kv = [...(a.kv ?? []), ...(b.kv ?? [])]
  return out
}

interface Lane {
  /** Invalidations waiting for the message in flight, merged, and when their own message is done. */
  next?: { what: Invalidation; sent: Promise<void>; release(): void }
}

/**
 * Invalidations to one process go one message at a time: those made while a message is on its
 * way travel together in the next. Many concurrent uploads then cost each process a few messages
 * instead of one each, and every change still answers only after its process has dropped it.
 */
export class InvalidationLanes {
  readonly #lanes = new Map<string, Lane>()
  readonly #deliver: (lane: string, what: Invalidation) => Promise<void>

  /** `deliver` sends one message and never rejects (a process that cannot take it is replaced). */
  constructor(deliver: (lane: string, what: Invalidation) => Promise<void>) {
    this.#deliver = deliver
  }

  send(lane: string, what: Invalidation): Promise<void> {
    const current = this.#lanes.get(lane)
    if (!current) {
      const fresh: Lane = {}
      this.#lanes.set(lane, fresh)
      return this.#run(lane, fresh, what)
    }
    if (current.next) {
      current.next.what = mergeInvalidations(current.next.what, what)
      return current.next.sent
    }
    let release!: () => void
    const sent = new Promise<void>((resolve) => (release = resolve))
    current.next = { what, sent, release }
    return sent
  }

  async #run(lane: string, state: Lane, what: Invalidation): Promise<void> {
    await this.#deliver(lane, what)
    void this.#drain(lane, state)
  }

  async #drain(lane: string, state: Lane): Promise<void> {
    while (state.next) {
      const { what, release } = state.next
      state.next = undefined
      await this.#deliver(lane, what)
      release()
    }
    this.#lanes.delete(lane)
  }
}
