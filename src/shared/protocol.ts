// The contract between Node (control plane) and the host worker inside workerd. Imported by both
// worlds, so it stays free of `node:` imports and of workers-types.

/**
 * A binding as Node hands it to the host worker, which builds it into a loaded Worker's env. Each
 * binding kind narrows it in its own folder (`bindings/<kind>/wire.ts`): Node's half of the kind
 * produces it, the kind's workerd half consumes it.
 */
export interface HostBinding {
  type: string
  name: string
}

export type HostModuleType = 'esm' | 'commonjs' | 'text' | 'data' | 'wasm' | 'json'

/** Everything the host needs to run the current version of one script. */
export interface ScriptDescriptor {
  accountId: string
  /** '' for account-level scripts. */
  namespaceId: string
  name: string
  versionId: string
  /** The Worker Loader's cache key: changes whenever anything that shapes the isolate changes. */
  loadKey: string
  format: 'modules' | 'service-worker'
  mainModule: string
  compatibilityDate: string
  compatibilityFlags: string[]
  bindings: HostBinding[]
  /** User Workers of trusted namespaces see request.cf. */
  trusted: boolean
  /** Account scripts: served on their default hostname (the per-script workers.dev switch). */
  workersDev: boolean
  /**
   * Trace events (console lines, exceptions, requests) are collected only while someone reads them:
   * Workers Logs (`observability.enabled`), logpush, or a live tail. Tracing costs every request.
   */
  traced: boolean
  /** Present when the script names Tail Workers (`tail_consumers`); such a script is always traced. */
  tail?: TailDelivery
  limits: { cpuMs?: number; subRequests?: number }
  cache: CacheIdentity
  /** Present when the version serves static assets: what the host decides before asking Node. */
  assets?: AssetRouting
  /**
   * A gradual deployment: every version it names, newest first, each with its share of requests
   * (0 to 100) and a descriptor of its own. Absent when one version serves every request, so the
   * common case costs the host one property check.
   */
  split?: VersionShare[]
}

/** One version of a gradual deployment; its descriptor has no split of its own. */
export interface VersionShare {
  percentage: number
  script: ScriptDescriptor
}

/**
 * Where a script's TraceItems go after each invocation, and what they say about it (Worker Loader
 * isolates report no script name, namespace, tags or version of their own).
 */
export interface TailDelivery {
  /** Resolved in the producer's account: an account script (namespaceId '') or a namespace's script. */
  consumers: Array<{ namespaceId: string; name: string }>
  /** The producer's dispatch namespace, by name, for scripts of a namespace. */
  dispatchNamespace?: string
  scriptTags: string[]
}

/** Each loaded module Worker exports this entrypoint, through which the host calls its tail() handler. */
export const TAIL_ENTRYPOINT = '__workerhive_tail'

/** The routing half of an asset config; serving itself happens in Node (src/assets/serve.ts). */
export interface AssetRouting {
  /** False for an assets-only Worker (no main module). */
  hasWorker: boolean
  /** Which requests go to the Worker without looking at the assets: all, none, or by path rules. */
  runWorkerFirst: boolean | { worker: string[]; asset: string[] }
}

/**
 * The asset wire: WIRE.assets (shared/wire.ts) with mode=router|binding|assets, url=U, method=M
 * with the request's If-None-Match, Range, Sec-Fetch-Mode (and ASSET_HEADERS.authorized when it had
 * an Authorization header) → the asset response with ASSET_HEADERS.outcome = 'served', or 204 with
 * 'worker' when the Worker should handle the request.
 */
export const ASSET_HEADERS = {
  outcome: 'x-workerhive-assets',
  authorized: 'x-workerhive-assets-authorized',
} as const

/** The request headers the asset pipeline reads (Authorization only as ASSET_HEADERS.authorized). */
export const ASSET_REQUEST_HEADERS = ['if-none-match', 'range', 'sec-fetch-mode'] as const

/**
 * What GET /internal/script answers. A small script's code comes along (`code`), so a cold start
 * costs one round trip to Node instead of two.
 */
export type ScriptLookup = { found: true; script: ScriptDescriptor; code?: CodeBundle } | { found: false }

/** Code up to this size travels with the descriptor; larger code is fetched when loading. */
export const INLINE_CODE_BYTES = 256 * 1024

/** What GET /internal/code/:versionId answers: every module, binary ones base64-encoded. */
export interface CodeBundle {
  modules: Array<{ name: string; type: HostModuleType; text?: string; base64?: string }>
}

/** Routing table: how a hostname + path reaches an account-level script. */
export interface RoutingTable {
  edgeDomain: string
  /** account subdomain → account id */
  subdomains: Record<string, string>
  /** Every zone: a hostname is served by the zone it lies in, and only that zone's routes apply. */
  zones: Array<{ name: string; accountId: string }>
  routes: Array<{ zone: string; pattern: string; script: string | null }>
  /** Cloudflare for SaaS custom hostnames: customers' hostnames served through a zone's routes. */
  customHostnames: EdgeCustomHostname[]
  /** Workers Custom Domains: a whole hostname served by one account script, ahead of routes. */
  workerDomains: Array<{ hostname: string; accountId: string; script: string }>
  /** Running ACME orders' HTTP-01 answers: token → key authorization. */
  acmeChallenges: Record<string, string>
  /** Zones whose `always_use_https` is on: their hostnames (and custom hostnames) redirect HTTP to HTTPS. */
  alwaysHttpsZones: string[]
  /** The edge's public HTTPS port, when it serves HTTPS (the redirect's target). */
  httpsPort: number | null
}

export interface EdgeCustomHostname {
  id: string
  hostname: string
  /** The zone whose routes serve it. */
  zone: string
  /** Ownership proven (or not checked): only then does it route. */
  active: boolean
  /** The ownership token the edge serves at CUSTOM_HOSTNAME_CHALLENGE_PATH + id while pending. */
  token: string
  /** Hostname of the zone routed as if requested when no route matches the customer's hostname. */
  origin: string | null
  /** `custom_metadata`, handed to the Worker as `request.cf.hostMetadata`. */
  metadata: Record<string, unknown> | null
}

/** Where an ACME server fetches an HTTP-01 answer (RFC 8555 §8.3). */
export const ACME_CHALLENGE_PATH = '/.well-known/acme-challenge/'

/** Where the edge answers a pending custom hostname's HTTP ownership check, as Cloudflare's does. */
export const CUSTOM_HOSTNAME_CHALLENGE_PATH = '/.well-known/cf-custom-hostname-challenge/'

/**
 * The Cache API's wire. Inside a user Worker, `caches` is replaced by a module (caches-shim) whose
 * calls are fetch()es to CACHE_ORIGIN; they leave through the Worker's globalOutbound, where the
 * host recognises them and adds the cache space from the Worker's own identity (so a Worker can
 * only ever reach its own space, whatever it sends), then forwards them to Node:
 *
 *   PUT    <op base>put?name=N&url=U     body = response body, CACHE_HEADERS.head = the response's
 *                                         status and headers (URI-encoded JSON) → 204
 *   GET    <op base>match?name=N&url=U   Range / If-None-Match / If-Modified-Since forwarded →
 *                                         200, CACHE_HEADERS.result = 'hit', the answer's status and
 *                                         headers in CACHE_HEADERS.head, its body; or 204 with 'miss'
 *   DELETE <op base>delete?name=N&url=U  → 204 with CACHE_HEADERS.result = 'hit' or 'miss'
 */
export const CACHE_ORIGIN = 'http://cache.workerhive.invalid'

export const CACHE_HEADERS = {
  head: 'x-workerhive-cache-head',
  result: 'x-workerhive-cache-result',
} as const

/** The request headers a cache match honours: all that travels of the Worker's request. */
export const CACHE_MATCH_HEADERS = ['range', 'if-none-match', 'if-modified-since'] as const

/** Where a script's Cache API entries live, and whether its `caches.default` works. */
export interface CacheIdentity {
  /** Isolated per script (untrusted namespaces), shared per namespace (trusted) or per account. */
  space: string
  /** False in untrusted namespaces, where Cloudflare disables `caches.default`. */
  defaultEnabled: boolean
}

/** Paths of each workerd process's control socket. */
export const CONTROL = {
  health: '/health',
  invalidate: '/invalidate',
  containment: '/containment',
  /** POST a StartupCheck → StartupCheckResult: runs a candidate version's top-level code. */
  startup: '/startup',
  /** POST a StartupCheck[] → Array<StartupCheckResult | null>: several candidates in one isolate (null: check it alone). */
  startupBatch: '/startup-batch',
  /** POST a ScheduledRun → ScheduledResult: runs one cron tick of a script's `scheduled` handler. */
  scheduled: '/scheduled',
  /** POST a QueueRun → QueueRunResult: delivers one batch to a consumer script's `queue` handler. */
  queue: '/queue',
  /** POST a ForwardedFetch (objects process only): a stub's fetch another node forwarded here. */
  objectsFetch: '/objects/fetch',
  /** POST a ForwardedCall → CallOutcome (objects process only): an RPC call forwarded here. */
  objectsCall: '/objects/call',
  /** POST a WakeRequest → WakeOutcome (objects process only): starts an object whose alarm is due. */
  objectsWake: '/objects/wake',
  /** POST ObjectsReclaim → { objects }: deletes every object of deleted Durable Object namespaces. */
  reclaimObjects: '/objects/reclaim',
} as const

/** Durable Object namespaces whose objects are to be deleted with their storage. */
export interface ObjectsReclaim {
  namespaceIds: string[]
}

/** One batch for a queue consumer, as Node's consumer loop leased it. */
export interface QueueRun {
  accountId: string
  /** '' for an account-level script. */
  namespaceId: string
  script: string
  queueName: string
  messages: Array<{
    id: string
    timestampMs: number
    /** The body's bytes, base64. */
    body: string
    contentType: 'text' | 'json' | 'bytes' | 'v8'
    attempts: number
  }>
}

/**
 * What the handler decided: Cloudflare's rules (explicit ack/retry per message win over ackAll /
 * retryAll, which win over the outcome) are applied by Node from these facts.
 */
export interface QueueRunResult {
  outcome: ScheduledResult['outcome']
  error?: string
  ackAll: boolean
  retryAll: boolean
  retryAllDelaySeconds?: number
  explicitAcks: string[]
  retries: Array<{ id: string; delaySeconds?: number }>
}

/** One cron tick to run, as Node's scheduler (or the dev endpoint) asks for it. */
export interface ScheduledRun {
  accountId: string
  /** '' for an account-level script. */
  namespaceId: string
  script: string
  cron: string
  /** ms since the epoch: the tick's time, `controller.scheduledTime`. */
  scheduledTime: number
}

/**
 * What came of it: `probation` means the script is on probation and Node should send the run to
 * the probation process; `missing` that the script is gone.
 */
export interface ScheduledResult {
  outcome: 'ok' | 'exception' | 'exceededResources' | 'probation' | 'missing'
  noRetry: boolean
  error?: string
}

/** A version not stored yet, as the host would run it: its descriptor and its code. */
export interface StartupCheck {
  script: ScriptDescriptor
  code: CodeBundle
}

/** What one export of a main module is, as far as handler registration goes. */
export interface ExportShape {
  kind: 'object' | 'durable-object' | 'entrypoint' | 'workflow' | 'class' | 'other'
  /** Own keys and prototype methods (objects), or prototype methods (classes). */
  members: string[]
}

/**
 * The outcome of running a version's top-level code in a throwaway isolate: the uncaught exception
 * as workerd describes it (`Uncaught Error: boom\n  at worker.js:1:7`), or what the code registered:
 * the main module's exports (modules) or the events passed to addEventListener (service workers).
 */
export type StartupCheckResult =
  | { ok: false; error: string }
  | { ok: true; exports: Record<string, ExportShape> }
  | { ok: true; listeners: string[] }

/**
 * Invocation-mark key of a startup check. It is never a script's key (`account/namespace/name`), so
 * a process killed while checking blames the check, and the check convicts nobody.
 */
export const STARTUP_CHECK_KEY = 'startup-check/upload/'
export const isStartupCheckKey = (key: string): boolean => key.startsWith(STARTUP_CHECK_KEY)

/** Scripts the watchdog sends to the probation process, and scripts it refuses for a cool-down. */
export interface ContainmentState {
  probation: string[]
  banned: Array<{ key: string; reason: string }>
}

/** Invocation marks a host worker prints (after the per-boot nonce) for the watchdog. */
export const CONTAINMENT_MARK = {
  start: ' S ',
  end: ' E ',
} as const

/** Headers of a user-Worker invocation forwarded to the probation process. */
export const PROBATION_HEADERS = {
  account: 'x-workerhive-account',
  namespace: 'x-workerhive-namespace',
  script: 'x-workerhive-script',
  /** JSON of the invocation's options (entrypoint, per-dispatch limits, outbound variant). */
  options: 'x-workerhive-invoke',
} as const

/**
 * CPU metering inside a user Worker's isolate (open-source workerd enforces no CPU limit): the
 * platform inserts a call to this global at every loop iteration and function entry of customer
 * code, and the invocation's budget travels to the isolate in a request header the wrapper strips.
 */
export const CPU_CHECKPOINT = '__workerhive_cpu'
export const CPU_BUDGET_HEADER = 'x-workerhive-cpu-ms'
/** What a Worker past its CPU budget throws (Cloudflare's message). */
export const CPU_LIMIT_MESSAGE = 'Worker exceeded CPU time limit.'

/**
 * Leads every console line of a loaded Worker (the console module of its isolate adds it), followed
 * by `<account>/<namespace id>/<script>` (each URI-encoded, so neither holds a space or a slash) and
 * a space: Node's log names the tenant a line belongs to. Trace events never carry it (the Tail
 * entrypoint drops it), so tails and Workers Logs see what the Worker logged.
 */
export const TENANT_LOG_TAG = '@whlog '

export const tenantLogTag = (accountId: string, namespaceId: string, script: string): string =>
  TENANT_LOG_TAG + [accountId, namespaceId, script].map(encodeURIComponent).join('/')
