import type { Context } from 'hono'
import type { Account, ApiToken, Store, UsageStore } from '../storage/store.js'
import type { AccountId } from '../domain/ids.js'
import type { Clock } from '../util/clock.js'
import type { AssetSession } from '../storage/store.js'
import type { Logger } from '../util/logger.js'
import type { OperationMeter } from '../shared/usage.js'
import type { Config } from '../config/config.js'
import type { Quotas } from './quotas.js'
import type { EdgeNotifier } from '../runtime/edge-notifier.js'
import type { InvocationLog } from '../runtime/invocation-log.js'
import type { TailSessions } from './tail/sessions.js'
import type { StartupRunner } from '../runtime/startup-candidate.js'
import type { Readiness } from '../runtime/readiness.js'
import type { QueueService } from '../queues/service.js'
import type { EdgeTlsControl } from '../runtime/https/edge-tls.js'
import type { D1Service } from '../d1/service.js'
import type { Transfers } from '../d1/transfers.js'

/** What the API needs from the outside world; only main.ts picks the real ones. */
export interface ApiDeps {
  store: Store
  log: Logger
  clock: Clock
  config: Pick<Config, 'maxScriptBytes' | 'edgeDomain' | 'edgePort' | 'publicApiUrl'> &
    Partial<Quotas> &
    Partial<Pick<Config, 'verifyHostnames'>>
  edge: EdgeNotifier
  /** Per-script counters and recent trace events (`workerhive logs`); absent without an edge. */
  invocations?: InvocationLog
  /** Live tail sessions (`wrangler tail`), fed by `events`; absent without an edge. */
  tails?: TailSessions
  /** The first account (the one `workerhive start` creates): its credentials are operator credentials. */
  operatorAccountId?: AccountId
  /** What the edge is doing right now, for `workerhive status`; absent without an edge. */
  status?: () => EdgeStatus
  /** Ends a script's probation or ban (key `<account>/<namespace id or ''>/<script>`); false when it had none. */
  liftContainment?: (key: string) => Promise<boolean>
  /** Runs an upload's top-level code in workerd before it is stored; absent without an edge. */
  startup?: StartupRunner
  /** Queues (shared with the producer binding and the consumer loop); the routes make their own when absent. */
  queues?: QueueService
  /** This node's usage buffer (written first, so reads see this node's latest); absent without an edge: the store is read. */
  usage?: Pick<UsageStore, 'query' | 'queryOperations'>
  /** Where queries through the D1 REST API are counted per database; absent when metering is off. */
  usageMeter?: OperationMeter
  /** The edge's certificates (HTTPS); absent when the edge serves no HTTPS. */
  tls?: EdgeTlsControl
  /** D1's engine and its import/export transfers; absent in an API built without a data dir. */
  d1?: { service: D1Service; transfers: Transfers }
  /** /readyz and /metrics; absent without an edge. */
  operations?: {
    readiness(): Promise<Readiness>
    metrics(): Promise<{ contentType: string; text: string }>
  }
}

export interface EdgeStatus {
  sandbox: { kind: string; reason?: string }
  processes: Array<{ index: number; role: string; pid?: number; state: string; restarts: number }>
  watchdog: { kills: number; recycles: number }
  containment: Array<{ key: string; status: string; until: number; strikes: number; reason: string }>
}

/** What `GET /workerhive/status` answers: host figures for operators, own containment for all. */
export type StatusView = Partial<Omit<EdgeStatus, 'containment'>> & {
  containment: EdgeStatus['containment']
  operator: boolean
}

/**
 * How the caller proved who it is: an API token, the global key, or (on the asset upload endpoint
 * only) the JWT of an assets-upload-session.
 */
export type AuthInfo =
  | { kind: 'token'; token: ApiToken }
  | { kind: 'global-key' }
  | { kind: 'asset-upload'; session: AssetSession }

export type ApiEnv = {
  Variables: {
    account: Account
    auth: AuthInfo
  }
}

export type ApiContext = Context<ApiEnv>
