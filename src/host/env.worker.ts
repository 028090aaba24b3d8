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
  /** Meter usage (CPU reports, wall time, bytes) per invocation; off only to measure what it costs. */
  usage: boolean
  /** Several nodes share the store: each Durable Object has one owner node (objects.worker.ts). */
  placedObjects: boolean
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
  /**
   * The gate of the process that hosts every Durable Object (Cap'n Proto RPC to the objects
   * socket; see bindings/durable-object-namespace/objects.worker.ts).
   */
  OBJECTS?: Fetcher
  SETTINGS: HostSettings
  /** Compiled text of the modules of shims/isolate/ by file name (see isolate-modules.worker.ts). */
  SHIMS: Record<string, string | undefined>
}

type EntrypointFactory<P> = (options: { props: P }) => Fetcher

/** A namespace's Outbound Worker with the params one dispatch passed to it. */
export interface OutboundTarget {
  service: string
  entrypoint?: string
  params: Record<string, unknown>
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

/** The pipeline's own entrypoints (entry.worker.ts exports them), as ctx.exports presents them. */
export interface HostExports {
  Outbound: EntrypointFactory<ScriptProps>
  OutboundWorker: EntrypointFactory<OutboundWorkerProps>
  Tail: EntrypointFactory<ScriptProps>
}

export const hostExports = (ctx: ExecutionContext<unknown>): HostExports => ctx.exports as unknown as HostExports

/**
 * The ctx.exports factory of an entrypoint class a binding kind defines (exported from the main
 * module through bindings/entrypoints.worker.ts); P is the class's props.
 */
export function entrypointOf<P>(
  ctx: ExecutionContext<unknown>,
  entrypoint: abstract new (...args: never[]) => unknown,
): EntrypointFactory<P> {
  const factory = (ctx.exports as unknown as Record<string, EntrypointFactory<P> | undefined>)[entrypoint.name]
  if (!factory) throw new Error(`entrypoint ${entrypoint.name} is not exported by the host's main module`)
  return factory
}
