import { CONTROL, type StartupCheckResult } from '../shared/protocol.js'
import type { Keyring } from '../secrets/sealer.js'
import type { Store } from '../storage/store.js'
import type { Clock } from '../util/clock.js'
import { describeCandidate } from './internal/descriptors.js'
import { postControl, type ControlAnswer } from './control-client.js'
import type { StartupCandidate, StartupOutcome, StartupRunner } from './startup-candidate.js'
import type { EdgeProcess } from './supervisor.js'
import { RecentlyUsed } from '../util/recently-used.js'
import { sha256Hex } from '../util/ids.js'

/** Passed checks remembered, by what the check ran (a few hundred bytes each). */
const PASSED_CHECKS_KEPT = 10_000

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
    if (known) return known
    const outcome = await this.#run(JSON.stringify(check))
    if (outcome.ok) this.#passed.set(key, outcome)
    return outcome
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
