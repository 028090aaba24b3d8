import type { EdgeProcess } from './supervisor.js'

/** What /readyz answers: ready only when every check is. */
export interface Readiness {
  ready: boolean
  checks: {
    edge: { ok: boolean; processes: Array<{ index: number; state: string }> }
    store: { ok: boolean; ms?: number; error?: string }
  }
}

/** How long the store may take to answer the readiness query before the node counts as not ready. */
const STORE_TIMEOUT_MS = 2000

/**
 * Ready when the edge serves (every edge workerd process is ready: one restarting means a load
 * balancer should prefer another node) and the store answers a trivial query in time.
 */
export async function readiness(deps: { processes(): EdgeProcess[]; pingStore(): Promise<unknown> }): Promise<Readiness> {
  const edgeProcesses = deps.processes().filter((p) => p.role === 'edge')
  const edge = { ok: edgeProcesses.length > 0 && edgeProcesses.every((p) => p.state === 'ready'), processes: edgeProcesses.map((p) => ({ index: p.index, state: p.state })) }
  const store = await checkStore(deps.pingStore)
  return { ready: edge.ok && store.ok, checks: { edge, store } }
}

async function checkStore(ping: () => Promise<unknown>): Promise<Readiness['checks']['store']> {
  const started = Date.now()
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${STORE_TIMEOUT_MS} ms`)), STORE_TIMEOUT_MS)
  })
  try {
    await Promise.race([ping(), timeout])
    return { ok: true, ms: Date.now() - started }
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) }
  } finally {
    clearTimeout(timer)
  }
}
