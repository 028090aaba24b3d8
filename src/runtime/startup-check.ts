import { CONTROL, type StartupCheck, type StartupCheckResult } from '../shared/protocol.js'
import type { Keyring } from '../secrets/sealer.js'
import type { Store } from '../storage/store.js'
import type { Clock } from '../util/clock.js'
import { describeCandidate, prepareMeteredModules } from './internal/descriptors.js'
import { postControl, type ControlAnswer } from './control-client.js'
import type { StartupCandidate, StartupOutcome, StartupRunner } from './startup-candidate.js'
import type { EdgeProcess } from './supervisor.js'
import { RecentlyUsed } from '../util/recently-used.js'
import { sha256Hex } from '../util/ids.js'

/** Passed checks remembered, by what the check ran (a few hundred bytes each). */
const PASSED_CHECKS_KEPT = 10_000
/** Candidates in one batch isolate at most, and their code's size: bounds what one isolate holds and runs. */
const BATCH_MAX = 16
const BATCH_MAX_BYTES = 4 * 1024 * 1024

/** A module-format check waiting for the probation process, with its batch group. */
interface Waiting {
  check: StartupCheck
  group: string
  bytes: number
  resolve(outcome: Promise<StartupOutcome>): void
}

export interface StartupCheckDeps {
  store: Store
  /** Opens the secrets of the candidate's bindings (those it keeps from the previous version are sealed). */
  keyring: Keyring
  clock: Clock
  secret: string
  processes(): EdgeProcess[]
  /** Resolves once process `index` is ready (at once if it is). */
  whenReady(index: number): Promise<void>
  /** Resolves once process `index` is no longer the process `pid`. */
  whenExited(index: number, pid: number | undefined): Promise<void>
  /**
   * Upper bound on one check, waiting for the process included. A busy loop is normally ended
   * sooner: the watchdog kills the stuck process within a few probes.
   */
  deadlineMs: number
}

/**
 * Runs uploads' top-level code in the probation process, never in the shared pool: a hostile
 * `while (true) {}` at the top of an upload then stalls only scripts that are already suspects,
 * until the watchdog kills the process (it blames the check's mark, so no suspect is convicted for
 * it) and the upload is refused. A failed check stores nothing: the previous version keeps serving.
 */
export class StartupChecker implements StartupRunner {
  readonly #deps: StartupCheckDeps

  constructor(deps: StartupCheckDeps) {
    this.#deps = deps
  }

  /**
   * Checks that passed, by a hash of everything the check ran but the script's name: the same
   * code with the same bindings, flags and account starts the same way, so re-deploying it (or
   * deploying one template as many tenants' scripts) costs no new isolate. Failures run again.
   */
  readonly #passed = new RecentlyUsed<string, StartupCheckResult>(PASSED_CHECKS_KEPT)

  async run(candidate: StartupCandidate): Promise<StartupOutcome> {
    const check = await describeCandidate(this.#deps.store, this.#deps.keyring, candidate, this.#deps.clock.now())
    const key = sha256Hex(JSON.stringify([{ ...check.script, name: '' }, check.code]))
    const known = this.#passed.get(key)
    const outcome = known ?? (check.script.format === 'modules' ? await this.#queued(check) : await this.#run(JSON.stringify(check)))
    if (!outcome.ok) return outcome
    if (!known) this.#passed.set(key, outcome)
    // It will be served next: its CPU checkpoints are inserted now, not on its first request.
    prepareMeteredModules(candidate.version.modules)
    return outcome
  }

  /**
   * Checks that arrive while others are with the probation process wait, and go together: one
   * isolate for those that can share one (src/host/containment/startup-batch.worker.ts). An
   * upload on a quiet platform goes at once, on its own.
   */
  readonly #waiting: Waiting[] = []
  #flushing = false
  #sharedPasses = 0

  /** Candidates that passed in an isolate shared with other candidates (the rest had one each). */
  get sharedPasses(): number {
    return this.#sharedPasses
  }

  #queued(check: StartupCheck): Promise<StartupOutcome> {
    // Everything an isolate is built from but the code and the script's name and main module.
    const group = JSON.stringify({ ...check.script, name: '', mainModule: '' })
    const bytes = check.code.modules.reduce((n, m) => n + (m.text?.length ?? 0) + (m.base64?.length ?? 0), 0)
    return new Promise((resolve) => {
      this.#waiting.push({ check, group, bytes, resolve })
      void this.#flush()
    })
  }

  async #flush(): Promise<void> {
    if (this.#flushing) return
    this.#flushing = true
    try {
      while (this.#waiting.length > 0) await Promise.all(batches(this.#waiting.splice(0)).map((b) => this.#checkBatch(b)))
    } finally {
      this.#flushing = false
    }
  }

  async #checkBatch(batch: Waiting[]): Promise<void> {
    const results = batch.length === 1 ? [null] : await this.#runBatch(batch.map((w) => w.check))
    const alone: Waiting[] = []
    batch.forEach((w, i) => {
      const result = results[i]
      if (!result) return void alone.push(w)
      this.#sharedPasses++
      w.resolve(Promise.resolve(result))
    })
    // One at a time: a candidate that kills the process then takes no neighbour's check with it.
    for (const w of alone) {
      const outcome = this.#run(JSON.stringify(w.check))
      w.resolve(outcome)
      await outcome.catch(() => {})
    }
  }

  /** The batch's passes; null for every candidate it could not decide (each is then checked alone). */
  async #runBatch(checks: StartupCheck[]): Promise<Array<StartupCheckResult | null>> {
    const undecided = checks.map(() => null)
    try {
      const signal = AbortSignal.timeout(this.#deps.deadlineMs)
      const target = await this.#probation(signal)
      const res = await postControl(target.controlPort, CONTROL.startupBatch, this.#deps.secret, JSON.stringify(checks), signal)
      if (res.status !== 200) {
        await res.discard()
        return undecided
      }
      const results = await res.json<Array<StartupCheckResult | null>>()
      return results.length === checks.length ? results.map((r) => (r?.ok ? r : null)) : undecided
    } catch {
      // The process died or did not answer in time: the checks of their own tell why, and whose fault.
      return undecided
    }
  }

  async #run(body: string): Promise<StartupOutcome> {
    const { secret, deadlineMs } = this.#deps
    const signal = AbortSignal.timeout(deadlineMs)
    for (let attempt = 1; ; attempt++) {
      const target = await this.#probation(signal)
      let res: ControlAnswer
      try {
        res = await postControl(target.controlPort, CONTROL.startup, secret, body, signal)
      } catch {
        // The process died: under this check (the watchdog kills a stuck one), or before it ran
        // (killed for another reason, its exit not seen yet). One more try in the next process
        // tells them apart; a check that kills two processes broke the limit.
        if (attempt === 1 && !signal.aborted && (await this.#replaced(target, signal))) continue
        return { ok: false, limit: 'cpu' }
      }
      if (res.status !== 200) throw new Error(`startup check failed in workerd ${target.index}: HTTP ${res.status} ${await res.text()}`)
      return await res.json<StartupCheckResult>()
    }
  }

  /** Whether process `target` is gone (waiting, within the deadline, for its exit to be seen). */
  async #replaced(target: EdgeProcess, signal: AbortSignal): Promise<boolean> {
    try {
      await Promise.race([this.#deps.whenExited(target.index, target.pid), aborted(signal)])
      return true
    } catch {
      return false
    }
  }

  async #probation(signal: AbortSignal): Promise<EdgeProcess & { controlPort: number }> {
    for (;;) {
      const p = this.#deps.processes().find((x) => x.role === 'probation')
      if (!p) throw new Error('no probation process to run startup checks in')
      if (p.state === 'ready' && p.controlPort !== undefined) return { ...p, controlPort: p.controlPort }
      // Restarting (e.g. killed by the previous check): wait for it, within the check's deadline.
      await Promise.race([this.#deps.whenReady(p.index), aborted(signal)])
    }
  }
}

/** Rejects when the check's deadline passes (for a race: a rejection nobody awaits is not an error). */
function aborted(signal: AbortSignal): Promise<never> {
  const deadline = new Promise<never>((_, reject) => {
    const fail = () => reject(new Error('the startup check ran out of time waiting for the probation process'))
    if (signal.aborted) fail()
    else signal.addEventListener('abort', fail, { once: true })
  })
  deadline.catch(() => {})
  return deadline
}

/** Splits waiting checks into batches: same group, at most BATCH_MAX of them and BATCH_MAX_BYTES of code. */
function batches(waiting: Waiting[]): Waiting[][] {
  const out: Waiting[][] = []
  const open = new Map<string, { batch: Waiting[]; bytes: number }>()
  for (const w of waiting) {
    let current = open.get(w.group)
    if (!current || current.batch.length >= BATCH_MAX || current.bytes + w.bytes > BATCH_MAX_BYTES) {
      current = { batch: [], bytes: 0 }
      open.set(w.group, current)
      out.push(current.batch)
    }
    current.batch.push(w)
    current.bytes += w.bytes
  }
  return out
}
