import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client'
import type { NamespaceTotal } from '../storage/store.js'
import type { EdgeProcess, ProcessRole, ProcessState } from './supervisor.js'

/** What /metrics reads on each scrape; the edge supplies it once it runs. */
export interface MetricsSource {
  processes(): EdgeProcess[]
  watchdog: { readonly kills: number; readonly recycles: number }
  containment(): Array<{ status: 'probation' | 'banned' }>
  /** Invocation counters of every account, from the store (every node's). */
  namespaceTotals(): Promise<NamespaceTotal[]>
  /** D1's engine processes: busy with a query, or idle. */
  d1Engine(): { busy: number; idle: number }
}

/**
 * Namespaces (account + namespace pairs) with series of their own; the rest add up under
 * account="other", namespace="other", so a platform with thousands of tenants stays scrapeable.
 */
export const MAX_NAMESPACE_SERIES = 50

const ROLES: ProcessRole[] = ['edge', 'probation']
const STATES: ProcessState[] = ['starting', 'ready', 'exited']
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]

/**
 * The platform's Prometheus metrics: workerd processes, restarts, watchdog kills and recycles,
 * containment, store and internal API latency, and requests per namespace and outcome. Script names
 * are never a label: they are unbounded, and per-script figures are the API's job.
 */
export class PlatformMetrics {
  readonly registry = new Registry()
  readonly #storeLatency: Histogram<'operation'>
  readonly #internalLatency: Histogram<'route'>
  #source: MetricsSource | undefined

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'workerhive_node_' })
    const registers = [this.registry]
    const metrics = this
    this.#storeLatency = new Histogram({ name: 'workerhive_store_operation_seconds', help: 'Store operations, by operation.', labelNames: ['operation'], buckets: LATENCY_BUCKETS, registers })
    this.#internalLatency = new Histogram({ name: 'workerhive_internal_api_request_seconds', help: 'Calls of workerd processes to the internal API, by route.', labelNames: ['route'], buckets: LATENCY_BUCKETS, registers })
    new Gauge({
      name: 'workerhive_workerd_processes',
      help: 'workerd processes by role and state.',
      labelNames: ['role', 'state'],
      registers,
      collect() {
        this.reset()
        const processes = metrics.#source?.processes() ?? []
        for (const role of ROLES) for (const state of STATES) this.set({ role, state }, processes.filter((p) => p.role === role && p.state === state).length)
      },
    })
    new Counter({
      name: 'workerhive_workerd_restarts_total',
      help: 'Restarts of workerd processes (crashes, kills, recycles) since this node started.',
      labelNames: ['role'],
      registers,
      collect() {
        this.reset()
        for (const role of ROLES) this.inc({ role }, sum((metrics.#source?.processes() ?? []).filter((p) => p.role === role).map((p) => p.restarts)))
      },
    })
    new Counter({
      name: 'workerhive_watchdog_kills_total',
      help: 'workerd processes the watchdog killed (stuck, over memory) since this node started.',
      registers,
      collect() {
        this.reset()
        this.inc(metrics.#source?.watchdog.kills ?? 0)
      },
    })
    new Counter({
      name: 'workerhive_watchdog_recycles_total',
      help: 'workerd processes the watchdog recycled gracefully since this node started.',
      registers,
      collect() {
        this.reset()
        this.inc(metrics.#source?.watchdog.recycles ?? 0)
      },
    })
    new Gauge({
      name: 'workerhive_d1_engine_processes',
      help: 'D1 engine processes by state: busy with a query, or idle (extra ones start when all are busy).',
      labelNames: ['state'],
      registers,
      collect() {
        const engine = metrics.#source?.d1Engine() ?? { busy: 0, idle: 0 }
        this.set({ state: 'busy' }, engine.busy)
        this.set({ state: 'idle' }, engine.idle)
      },
    })
    new Gauge({
      name: 'workerhive_contained_scripts',
      help: 'Scripts on probation or banned (refused for a cool-down).',
      labelNames: ['status'],
      registers,
      collect() {
        const entries = metrics.#source?.containment() ?? []
        for (const status of ['probation', 'banned'] as const) this.set({ status }, entries.filter((e) => e.status === status).length)
      },
    })
    new Counter({
      name: 'workerhive_namespace_requests_total',
      help: `Invocations of Workers per account, dispatch namespace (empty for account-level scripts) and outcome, on every node; past ${MAX_NAMESPACE_SERIES} namespaces the smallest add up under "other".`,
      labelNames: ['account', 'namespace', 'outcome'],
      registers,
      async collect() {
        this.reset()
        const totals = (await metrics.#source?.namespaceTotals()) ?? []
        for (const row of foldNamespaces(totals, MAX_NAMESPACE_SERIES)) this.inc({ account: row.account, namespace: row.namespace, outcome: row.outcome }, row.count)
      },
    })
  }

  /** The edge, once it runs (until then process and request figures are empty). */
  attach(source: MetricsSource): void {
    this.#source = source
  }

  observeStore(operation: string, seconds: number): void {
    this.#storeLatency.observe({ operation }, seconds)
  }

  observeInternalApi(route: string, seconds: number): void {
    this.#internalLatency.observe({ route }, seconds)
  }

  /** The exposition text of every metric. */
  text(): Promise<string> {
    return this.registry.metrics()
  }

  get contentType(): string {
    return this.registry.contentType
  }
}

const sum = (values: number[]): number => values.reduce((a, b) => a + b, 0)

/**
 * The `max` namespaces with the most invocations keep their own series, by name (a deleted
 * namespace by its id); the others add up under account and namespace "other".
 */
export function foldNamespaces(totals: NamespaceTotal[], max: number): Array<{ account: string; namespace: string; outcome: string; count: number }> {
  const key = (t: NamespaceTotal) => `${t.accountId}/${t.namespaceId}`
  const volume = new Map<string, number>()
  for (const t of totals) volume.set(key(t), (volume.get(key(t)) ?? 0) + t.count)
  const kept = new Set([...volume.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, max).map(([k]) => k))
  const rows = new Map<string, { account: string; namespace: string; outcome: string; count: number }>()
  for (const t of totals) {
    const own = kept.has(key(t))
    const account = own ? t.accountId : 'other'
    const namespace = own ? (t.namespaceName ?? t.namespaceId) : 'other'
    const rowKey = JSON.stringify([account, own ? t.namespaceId : 'other', t.outcome])
    const row = rows.get(rowKey) ?? { account, namespace, outcome: t.outcome, count: 0 }
    row.count += t.count
    rows.set(rowKey, row)
  }
  return [...rows.values()]
}
