import { HEADER_INTERNAL_SECRET } from '../shared/headers.js'
import { CONTROL, type ScheduledResult, type ScheduledRun } from '../shared/protocol.js'
import type { EdgeProcess } from './supervisor.js'

export interface ScheduledRunnerDeps {
  processes(): EdgeProcess[]
  secret: string
}

/**
 * Runs one cron tick in a workerd process, through its control socket: an edge process (taking
 * turns), or the probation process when the script is on probation there. The host applies the
 * same containment and deadline as to a request.
 */
export class ScheduledRunner {
  #turn = 0

  constructor(private readonly deps: ScheduledRunnerDeps) {}

  async run(run: ScheduledRun): Promise<ScheduledResult> {
    const edges = this.#ready('edge')
    if (edges.length === 0) throw new Error('no edge process is ready to run a cron tick')
    const first = await this.#send(edges[this.#turn++ % edges.length]!, run)
    if (first.outcome !== 'probation') return first
    const probation = this.#ready('probation')[0]
    if (!probation) return { outcome: 'exceededResources', noRetry: false, error: 'the probation process is restarting' }
    return this.#send(probation, run)
  }

  #ready(role: EdgeProcess['role']): Array<EdgeProcess & { controlPort: number }> {
    return this.deps.processes().filter((p): p is EdgeProcess & { controlPort: number } => p.role === role && p.state === 'ready' && p.controlPort !== undefined)
  }

  async #send(p: EdgeProcess & { controlPort: number }, run: ScheduledRun): Promise<ScheduledResult> {
    try {
      const res = await fetch(`http://127.0.0.1:${p.controlPort}${CONTROL.scheduled}`, {
        method: 'POST',
        headers: { [HEADER_INTERNAL_SECRET]: this.deps.secret, 'content-type': 'application/json' },
        body: JSON.stringify(run),
      })
      if (!res.ok) return { outcome: 'exception', noRetry: false, error: `workerd ${p.index} answered HTTP ${res.status}` }
      return (await res.json()) as ScheduledResult
    } catch {
      // The process died under the tick (the watchdog killed it): the script broke a limit.
      return { outcome: 'exceededResources', noRetry: false, error: `workerd ${p.index} exited while running it` }
    }
  }
}
