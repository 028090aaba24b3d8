import { WIRE, wireUrl } from '../../shared/wire.js'
import { CONTAINMENT_MARK, type ContainmentState } from '../../shared/protocol.js'
import type { HostEnv } from '../env.worker.js'
import { internalJson } from '../internal-api.worker.js'

/**
 * What this process knows about misbehaving scripts (pushed by Node's watchdog), and the marks it
 * leaves so the watchdog can tell which scripts were running when a process got stuck or died.
 */
let probation = new Set<string>()
let banned = new Map<string, string>()
let invocationSeq = 0

export const scriptKey = (accountId: string, namespaceId: string, name: string): string =>
  `${accountId}/${namespaceId}/${name}`

let loaded: Promise<void> | undefined

export function applyContainment(state: ContainmentState): void {
  probation = new Set(state.probation)
  banned = new Map(state.banned.map((b) => [b.key, b.reason]))
  loaded ??= Promise.resolve()
}

/** A fresh process asks once before its first invocation, so a restart never forgets a ban. */
function ensureLoaded(env: HostEnv): Promise<void> {
  loaded ??= internalJson<ContainmentState>(env, wireUrl(WIRE.containment, {})).then(applyContainment, (err) => {
    loaded = undefined
    throw err
  })
  return loaded
}

export type Verdict = { run: 'here' } | { run: 'probation' } | { run: 'refuse'; reason: string }

export async function verdictFor(env: HostEnv, key: string): Promise<Verdict> {
  await ensureLoaded(env)
  const reason = banned.get(key)
  if (reason !== undefined) return { run: 'refuse', reason }
  if (probation.has(key) && !env.SETTINGS.probation) return { run: 'probation' }
  return { run: 'here' }
}

/**
 * Marks the start of an invocation on stdout. workerd writes console output synchronously, so the
 * mark is out before user code runs, even if that code never yields again. The per-boot nonce
 * keeps tenants (whose console output shares the stream) from forging marks.
 */
export function markStart(env: HostEnv, key: string): number {
  const id = ++invocationSeq
  console.log(`${env.WATCH_NONCE}${CONTAINMENT_MARK.start}${id} ${encodeURIComponent(key)}`)
  return id
}

export function markEnd(env: HostEnv, id: number): void {
  console.log(`${env.WATCH_NONCE}${CONTAINMENT_MARK.end}${id}`)
}

/** The error a dispatch Worker's fetch() rejects with when a user Worker broke its limits. */
export class ResourceLimitError extends Error {
  constructor(readonly reason: string) {
    super(
      reason === 'memory'
        ? 'Worker exceeded memory limit.'
        : reason === 'wall-clock'
          ? 'Worker exceeded its wall-clock limit.'
          : reason === 'subrequests'
            ? 'Too many subrequests.'
            : reason === 'cpu'
              ? 'Worker exceeded CPU time limit.'
              : 'Worker exceeded resource limits.',
    )
    this.name = 'Error'
  }
}

/** Rejects when `promise` has not settled within `ms`: no Worker holds a connection forever. */
export function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ResourceLimitError('wall-clock')), ms)
  })
  return Promise.race([promise, deadline]).finally(() => {
    if (timer !== undefined) clearTimeout(timer)
  })
}
