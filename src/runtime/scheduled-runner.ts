import { HEADER_INTERNAL_SECRET } from '../shared/headers.js'
import { CONTROL, type QueueRun, type QueueRunResult, type ScheduledResult, type ScheduledRun } from '../shared/protocol.js'
import type { EdgeProcess } from './supervisor.js'

export interface ScheduledRunnerDeps {
  processes(): EdgeProcess[]
  secret: string
}

type Failed<T> = (outcome: 'exception' | 'exceededResources', error: string) => T

/**
 * Runs one event that is not a request (a cron tick, a queue batch) in a workerd process, through
 * its control socket: an edge process (taking turns), or the probation process when the script is
 * on probation there. The host applies the same containment and deadline as to a request.
 */
export class ScheduledRunner {
  #turn = 0

  constructor(private readonly deps: ScheduledRunnerDeps) {}

  run(run: ScheduledRun): Promise<ScheduledResult> {
    return this.#run(CONTROL.scheduled, run, (outcome, error) => ({ outcome, noRetry: false, error }))
  }

  /** Delivers one queue batch to its consumer script. */
  queue(run: QueueRun): Promise<QueueRunResult> {
    return this.#run(CONTROL.queue, run, (outcome, error) => ({ outcome, error, ackAll: false, retryAll: false, explicitAcks: [], retries: [] }))
  }

  async #run<T extends { outcome: string }>(path: string, body: unknown, failed: Failed<T>): Promise<T> {
    const edges = this.#ready('edge')
    if (edges.length === 0) throw new Error('no edge process is ready to run an event')
    const first = await this.#send(edges[this.#turn++ % edges.length]!, path, body, failed)
    if (first.outcome !== 'probation') return first
    const probation = this.#ready('probation')[0]
    if (!probation) return failed('exceededResources', 'the probation process is restarting')
    return this.#send(probation, path, body, failed)
  }

  #ready(role: EdgeProcess['role']): Array<EdgeProcess & { controlPort: number }> {
    return this.deps.processes().filter((p): p is EdgeProcess & { controlPort: number } => p.role === role && p.state === 'ready' && p.controlPort !== undefined)
  }

  async #send<T>(p: EdgeProcess & { controlPort: number }, path: string, body: unknown, failed: Failed<T>): Promise<T> {
    try {
      const res = await fetch(`http://127.0.0.1:${p.controlPort}${path}`, {
        method: 'POST',
        headers: { [HEADER_INTERNAL_SECRET]: this.deps.secret, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
      if (!res.ok) return failed('exception', `workerd ${p.index} answered HTTP ${res.status}`)
      return (await res.json()) as T
    } catch {
      // The process died under the event (the watchdog killed it): the script broke a limit.
      return failed('exceededResources', `workerd ${p.index} exited while running it`)
    }
  }
}
