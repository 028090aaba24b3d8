import type { ContainmentState } from '../shared/protocol.js'

export type Offence = 'cpu' | 'memory'

interface Record_ {
  until: number
  strikes: number
  reason: Offence
}

/** One script on probation or refused; `key` is `<account>/<namespace id or ''>/<script>`. */
export interface ContainmentEntry extends Record_ {
  key: string
  status: 'probation' | 'banned'
}

export interface ContainmentOptions {
  /** How long a suspect stays on probation, and a convicted script stays refused. @default 10 min */
  coolDownMs: number
}

/**
 * Who is on probation and who is refused, decided from the suspect of each process kill or crash
 * (see primarySuspect). An incident in the shared pool sends its suspect to the probation process;
 * an incident in the probation process convicts its suspect, refused for the cool-down. Only scripts
 * on probation run there, so an innocent sent there by a wrong guess is not convicted: it runs fine
 * until its probation ends. A hostile script costs the shared pool one kill per cool-down.
 */
export class Containment {
  readonly #probation = new Map<string, Record_>()
  readonly #banned = new Map<string, Record_>()
  readonly #opts: ContainmentOptions
  readonly #now: () => number

  constructor(opts: Partial<ContainmentOptions> = {}, now: () => number = Date.now) {
    this.#opts = { coolDownMs: opts.coolDownMs ?? 10 * 60_000 }
    this.#now = now
  }

  /** Records the suspects of one kill or crash; the entries it wrote (none: nothing changed). */
  recordIncident(suspects: string[], inProbationProcess: boolean, reason: Offence): ContainmentEntry[] {
    this.#expire()
    const until = this.#now() + this.#opts.coolDownMs
    const changed: ContainmentEntry[] = []
    for (const key of new Set(suspects)) {
      const strikes = (this.#probation.get(key)?.strikes ?? 0) + 1
      if (inProbationProcess) {
        this.#banned.set(key, { until, strikes, reason })
        this.#probation.delete(key)
        changed.push({ key, status: 'banned', until, strikes, reason })
      } else {
        this.#probation.set(key, { until, strikes, reason })
        changed.push({ key, status: 'probation', until, strikes, reason })
      }
    }
    return changed
  }

  /**
   * Ends a script's probation or ban now (an operator's decision). Returns the entry to write
   * through, already expired so the store forgets it; undefined when the script had none.
   */
  lift(key: string): ContainmentEntry | undefined {
    this.#expire()
    const banned = this.#banned.get(key)
    const record = banned ?? this.#probation.get(key)
    if (!record) return undefined
    this.#banned.delete(key)
    this.#probation.delete(key)
    return { key, status: banned ? 'banned' : 'probation', ...record, until: this.#now() }
  }

  /** Replaces the whole state with these entries (read back from the store). */
  restore(entries: ContainmentEntry[]): void {
    this.#probation.clear()
    this.#banned.clear()
    for (const { key, status, ...record } of entries) (status === 'banned' ? this.#banned : this.#probation).set(key, record)
    this.#expire()
  }

  state(): ContainmentState {
    this.#expire()
    return {
      probation: [...this.#probation.keys()],
      banned: [...this.#banned].map(([key, r]) => ({ key, reason: r.reason })),
    }
  }

  /** For status pages: every entry with its expiry. */
  entries(): ContainmentEntry[] {
    this.#expire()
    return [
      ...[...this.#probation].map(([key, r]) => ({ key, status: 'probation' as const, ...r })),
      ...[...this.#banned].map(([key, r]) => ({ key, status: 'banned' as const, ...r })),
    ]
  }

  /** The earliest moment an entry expires, so the owner can push the shrunken state then. */
  nextExpiry(): number | undefined {
    const all = [...this.#probation.values(), ...this.#banned.values()].map((r) => r.until)
    return all.length ? Math.min(...all) : undefined
  }

  #expire(): void {
    const now = this.#now()
    for (const [k, r] of this.#probation) if (r.until <= now) this.#probation.delete(k)
    for (const [k, r] of this.#banned) if (r.until <= now) this.#banned.delete(k)
  }
}
