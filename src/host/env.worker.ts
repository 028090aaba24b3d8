// The host worker's own bindings (set by src/runtime/workerd-config.ts) and typed access to the
// entrypoints it exports through ctx.exports. Never handed to customer code.

export interface HostSettings {
  edgeDomain: string
  processIndex: number
  /** This process runs the scripts on probation (and is the only one that does). */
  probation: boolean
  /** Per-invocation deadline for a Worker to produce its response. */
  wallClockMs: number
  /** Subrequests per invocation when neither the script nor the dispatch sets a limit. */
  subrequestLimit: number
  /** This node's name in ray ids (`<id>-<colo>`). */
  colo: string
  /** Development mode: edge error pages show the exception. */
  dev: boolean
  /** Largest request body the edge passes to a Worker, unless the account has its own cap. */
  maxBodyBytes: number
  /** Per-account body caps (account id → bytes). */
  accountBodyBytes: Record<string, number>
  /**
   * Ports of the operator's private allow-list: account scripts' subrequests to one of these ports
   * leave through PRIVATE_<port>, a network that also allows that port's private ranges.
   */
  privatePorts: number[]
}

export interface HostEnv {
  LOADER: WorkerLoader
  /** Node's internal API: code, descriptors, routes, KV. Loopback only, behind INTERNAL_SECRET. */
  INTERNAL: Fetcher
  /** The public internet (workerd's network service allowing public addresses only). */
  INTERNET: Fetcher
  /** The private allow-list's networks, one per port (PRIVATE_<port>); account scripts only. */
  [privateNetwork: `PRIVATE_${number}`]: Fetcher | undefined
  INTERNAL_SECRET: string
  /** Prefix of the watchdog's invocation marks on stdout. */
  WATCH_NONCE: string
  /** The probation process's gate (absent in the probation process itself). */
  PROBATION?: Fetcher
  SETTINGS: HostSettings
}

type EntrypointFactory<P> = (options: { props: P }) => Fetcher

export interface DispatchProps {
  accountId: string
  namespaceId: string
  namespaceName: string
  outbound?: { service: string; entrypoint?: string; params: string[] }
}

/** A namespace's Outbound Worker with the params one dispatch passed to it. */
export interface OutboundTarget {
  service: string
  entrypoint?: string
  params: Record<string, unknown>
}

export interface UserWorkerProps {
  accountId: string
  namespaceId: string
  name: string
  limits?: { cpuMs?: number; subRequests?: number }
  outbound?: OutboundTarget
}

export interface ScriptProps {
  accountId: string
  namespaceId: string
  script: string
  /** The isolate's loader key: subrequest budgets are counted per isolate. */
  loadKey?: string
  /** The script's Cache API space, and whether its caches.default works (see CacheIdentity). */
  cacheSpace: string
  cacheDefault: boolean
}

export interface OutboundWorkerProps extends ScriptProps {
  target: OutboundTarget
}

export interface AssetsProps {
  accountId: string
  versionId: string
}

export interface KvProps {
  accountId: string
  namespaceId: string
}

export interface ServiceProps {
  accountId: string
  script: string
  entrypoint?: string
  /** The binding's props: the target's `ctx.props`. */
  props?: Record<string, unknown>
}

/** The entrypoints entry.worker.ts exports, as ctx.exports presents them. */
export interface HostExports {
  DispatchNamespace: EntrypointFactory<DispatchProps>
  UserWorker: EntrypointFactory<UserWorkerProps>
  Outbound: EntrypointFactory<ScriptProps>
  OutboundWorker: EntrypointFactory<OutboundWorkerProps>
  KvNamespace: EntrypointFactory<KvProps>
  ServiceBinding: EntrypointFactory<ServiceProps>
  Tail: EntrypointFactory<ScriptProps>
  Assets: EntrypointFactory<AssetsProps>
}

export const hostExports = (ctx: ExecutionContext<unknown>): HostExports => ctx.exports as unknown as HostExports
