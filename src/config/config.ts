import { availableParallelism } from 'node:os'
import { resolve } from 'node:path'
import { z } from 'zod'

/** Everything Workerhive can be told, parsed once, frozen, and passed down. */
export const ConfigSchema = z.object({
  /** Where SQLite, uploaded code and runtime files live. @default "./.workerhive" */
  dataDir: z.string().default('./.workerhive'),
  /** Address both listeners bind to. @default "127.0.0.1" */
  host: z.string().default('127.0.0.1'),
  /** Port of the Cloudflare v4-compatible API. @default 8080 */
  apiPort: z.coerce.number().int().min(0).max(65535).default(8080),
  /** Port of the edge, where end users' requests arrive. @default 8787 */
  edgePort: z.coerce.number().int().min(0).max(65535).default(8787),
  /** Port of the edge's HTTPS (SNI: a certificate per hostname, HTTP/2 by ALPN); off when absent. */
  httpsPort: z.coerce.number().int().min(0).max(65535).optional(),
  /** ACME directory certificates of custom hostnames and Custom Domains are ordered from (HTTP-01 answered by the edge); off when absent. */
  acmeDirectoryUrl: z.string().url().optional(),
  /** Contact address given to the ACME directory's account. */
  acmeEmail: z.string().optional(),
  /** PEM file of CA certificates to trust for the ACME directory's own HTTPS (a test or private CA). */
  acmeCaFile: z.string().optional(),
  /** Domain of default hostnames: `<script>.<account subdomain>.<edgeDomain>`. @default "localhost" */
  edgeDomain: z.string().default('localhost'),
  /** Base URL printed for API clients; derived from host and apiPort when absent. */
  publicApiUrl: z.string().optional(),
  /** How many workerd processes serve the edge. @default min(available cores, 4), at least 2 */
  edgeProcesses: z.coerce.number().int().min(1).max(64).optional(),
  /** Deadline for a Worker to produce its response; past it the invocation fails. @default 30000 */
  wallClockMs: z.coerce.number().int().positive().default(30_000),
  /** Subrequests one invocation may make unless the script or the dispatch sets a limit. @default 1000 */
  subrequestLimit: z.coerce.number().int().positive().default(1000),
  /** How often the watchdog probes each workerd process. @default 100 */
  probeIntervalMs: z.coerce.number().int().positive().default(100),
  /** A process that misses a probe this long is stuck, killed and restarted. @default 250 */
  probeTimeoutMs: z.coerce.number().int().positive().default(250),
  /** RSS budget of one workerd process in MiB: past it the process is killed and the scripts running in it become suspects (catches ArrayBuffers, which escape the heap cap). Keep it above maxIsolatesPerProcess × ~3 MB. @default 4096 */
  processMemoryMb: z.coerce.number().int().positive().default(4096),
  /** Isolates one workerd process may load before it is recycled gracefully (workerd aborts near 4,000; each costs ~1.5–3 MB). @default 1000 */
  maxIsolatesPerProcess: z.coerce.number().int().positive().default(1000),
  /** Per-isolate V8 heap cap in MiB (Cloudflare: 128 MB per isolate). @default 128 */
  isolateHeapMb: z.coerce.number().int().positive().default(128),
  /** This node's name in ray ids (`cf-ray: <16 hex>-<colo>`), as Cloudflare names a data centre. @default "LOC" */
  colo: z.string().regex(/^[A-Z0-9]{2,8}$/, 'colo: 2 to 8 capital letters or digits').default('LOC'),
  /** Development mode: edge error pages (1101, 1102) show the exception. Never in production: they are the tenant's internals. @default false */
  dev: z
    .union([z.boolean(), z.enum(['true', 'false', '1', '0'])])
    .transform((v) => v === true || v === 'true' || v === '1')
    .default(false),
  /** Check ownership of new custom hostnames (TXT or HTTP token); false marks them active at once (tests, private installs). @default true */
  verifyHostnames: z
    .union([z.boolean(), z.enum(['true', 'false', '1', '0'])])
    .transform((v) => v === true || v === 'true' || v === '1')
    .default(true),
  /** Confine workerd with bubblewrap where the machine allows it. @default true */
  sandbox: z
    .union([z.boolean(), z.enum(['true', 'false', '1', '0'])])
    .transform((v) => v === true || v === 'true' || v === '1')
    .default(true),
  /** How long a suspect stays on probation and a convicted script stays refused. @default 600000 */
  coolDownMs: z.coerce.number().int().positive().default(600_000),
  /** Days an account's stored Workers Logs events are kept. @default 7 */
  logRetentionDays: z.coerce.number().positive().default(7),
  /** Megabytes of stored Workers Logs events per account; the oldest go first past it. @default 100 */
  logRetentionMb: z.coerce.number().positive().default(100),
  /** Meter usage per script and minute (requests, outcomes, CPU, wall time, subrequests, KV, bytes) into the store. @default true */
  usageMetering: z
    .union([z.boolean(), z.enum(['true', 'false', '1', '0'])])
    .transform((v) => v === true || v === 'true' || v === '1')
    .default(true),
  /** How often this node writes the usage it aggregated; a kill -9 loses at most this much. @default 5 */
  usageFlushSeconds: z.coerce.number().positive().default(5),
  /** Days usage records are kept. @default 93 */
  usageRetentionDays: z.coerce.number().positive().default(93),
  /** Share of invocations of scripts without Workers Logs whose events are stored anyway (0..1); above 0 every script is traced. @default 0 */
  logSampleRate: z.coerce.number().min(0).max(1).default(0),
  /** Largest accepted script upload, all modules together (Cloudflare's paid limit). @default 10 MiB */
  maxScriptBytes: z.coerce.number().int().positive().default(10 * 1024 * 1024),
  /** Dispatch namespaces one account may create (Cloudflare publishes no number; 0: no limit). @default 100 */
  maxDispatchNamespaces: z.coerce.number().int().min(0).default(100),
  /** Account-level Workers one account may have (Cloudflare's paid plan: 500; 0: no limit). @default 500 */
  maxAccountScripts: z.coerce.number().int().min(0).default(500),
  /** User Workers one dispatch namespace may hold (Cloudflare: unlimited; 0: no limit). @default 0 */
  maxNamespaceScripts: z.coerce.number().int().min(0).default(0),
  /** KV namespaces one account may create (Cloudflare: 1,000; 0: no limit). @default 1000 */
  maxKvNamespaces: z.coerce.number().int().min(0).default(1000),
  /** Worker routes one zone may have (Cloudflare: 1,000; 0: no limit). @default 1000 */
  maxRoutesPerZone: z.coerce.number().int().min(0).default(1000),
  /** Versions kept per script: older ones not in the active deployment are deleted (Cloudflare lists the newest 100; 0: keep all). @default 100 */
  versionsKept: z.coerce.number().int().min(0).default(100),
  /** Memory the Cache API of loaded Workers may hold on this node, in MiB (least recently used entries go first). @default 256 */
  cacheMemoryMb: z.coerce.number().int().min(1).default(256),
  /** Largest request body the edge passes to a Worker, in MB (Cloudflare's Free and Pro limit); larger ones get 413. @default 100 */
  maxRequestBodyMb: z.coerce.number().int().positive().default(100),
  /** Per-account body caps over maxRequestBodyMb: `<account id>=<MB>,…` (Cloudflare raises it per plan). */
  accountRequestBodyMb: z
    .string()
    .regex(/^\s*([0-9a-f]+=\d+\s*(,\s*|$))*$/, 'accountRequestBodyMb: <account id>=<MB>, comma-separated')
    .default(''),
  /** Private destinations account scripts (never user Workers in a namespace) may reach: `<CIDR>:<port>,…`. Off when empty. @default "" */
  privateAllowList: z
    .string()
    .regex(/^\s*([0-9a-fA-F:.]+\/\d+:\d+\s*(,\s*|$))*$/, 'privateAllowList: <CIDR>:<port>, comma-separated')
    .default(''),
  /** A client must send a request's headers within this long, or its connection is closed (slowloris). @default 20000 */
  apiHeadersTimeoutMs: z.coerce.number().int().positive().default(20_000),
  /** A whole API request (body included) must arrive within this long. @default 300000 */
  apiRequestTimeoutMs: z.coerce.number().int().positive().default(300_000),
  /** An idle keep-alive connection to the API is closed after this long. @default 5000 */
  apiKeepAliveTimeoutMs: z.coerce.number().int().positive().default(5_000),
  /** Connections the public API holds at once; more are closed on arrival. @default a quarter of the open-file limit */
  apiMaxConnections: z.coerce.number().int().positive().optional(),
  /** `sqlite` (embedded, default) or `postgres` (several nodes). */
  storage: z.enum(['sqlite', 'postgres']).default('sqlite'),
  /** PostgreSQL connection string when storage is `postgres`. */
  postgresUrl: z.string().optional(),
  /** PostgreSQL schema for Workerhive's tables (created if absent); the connection's search_path when absent. */
  postgresSchema: z.string().optional(),
  /** Origin other nodes reach this node's API port at, to forward calls of the D1 databases it owns (PostgreSQL only). @default "http://<host>:<api port>" */
  nodeUrl: z.string().url().optional(),
  /** How long a node owns a D1 database it stops renewing: after a kill -9, another node takes over within this. @default 15000 */
  placementLeaseMs: z.coerce.number().int().min(300).default(15_000),
  logLevel: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  /** Key sealing secret bindings at rest: 64 hex characters or base64 of 32 bytes. Required with PostgreSQL (every node needs the same key); with SQLite the data dir holds one (`secrets.key`, 0600) when absent. */
  secretsKey: z.string().optional(),
  /** A file holding the secrets key (same format), instead of `secretsKey`. */
  secretsKeyFile: z.string().optional(),
})

export type ConfigInput = z.input<typeof ConfigSchema>
export type Config = Readonly<
  Omit<z.output<typeof ConfigSchema>, 'edgeProcesses'> & { edgeProcesses: number; publicApiUrl: string }
>

/** Environment variables each option can also come from. */
export const envNames: Record<keyof ConfigInput, string> = {
  dataDir: 'WORKERHIVE_DATA_DIR',
  host: 'WORKERHIVE_HOST',
  apiPort: 'WORKERHIVE_API_PORT',
  edgePort: 'WORKERHIVE_EDGE_PORT',
  edgeDomain: 'WORKERHIVE_EDGE_DOMAIN',
  httpsPort: 'WORKERHIVE_HTTPS_PORT',
  acmeDirectoryUrl: 'WORKERHIVE_ACME_DIRECTORY_URL',
  acmeEmail: 'WORKERHIVE_ACME_EMAIL',
  acmeCaFile: 'WORKERHIVE_ACME_CA_FILE',
  publicApiUrl: 'WORKERHIVE_PUBLIC_API_URL',
  edgeProcesses: 'WORKERHIVE_EDGE_PROCESSES',
  maxScriptBytes: 'WORKERHIVE_MAX_SCRIPT_BYTES',
  wallClockMs: 'WORKERHIVE_WALL_CLOCK_MS',
  subrequestLimit: 'WORKERHIVE_SUBREQUEST_LIMIT',
  probeIntervalMs: 'WORKERHIVE_PROBE_INTERVAL_MS',
  probeTimeoutMs: 'WORKERHIVE_PROBE_TIMEOUT_MS',
  processMemoryMb: 'WORKERHIVE_PROCESS_MEMORY_MB',
  maxIsolatesPerProcess: 'WORKERHIVE_MAX_ISOLATES_PER_PROCESS',
  isolateHeapMb: 'WORKERHIVE_ISOLATE_HEAP_MB',
  coolDownMs: 'WORKERHIVE_COOL_DOWN_MS',
  logRetentionDays: 'WORKERHIVE_LOG_RETENTION_DAYS',
  logRetentionMb: 'WORKERHIVE_LOG_RETENTION_MB',
  logSampleRate: 'WORKERHIVE_LOG_SAMPLE_RATE',
  usageMetering: 'WORKERHIVE_USAGE_METERING',
  usageFlushSeconds: 'WORKERHIVE_USAGE_FLUSH_SECONDS',
  usageRetentionDays: 'WORKERHIVE_USAGE_RETENTION_DAYS',
  sandbox: 'WORKERHIVE_SANDBOX',
  colo: 'WORKERHIVE_COLO',
  dev: 'WORKERHIVE_DEV',
  verifyHostnames: 'WORKERHIVE_VERIFY_HOSTNAMES',
  cacheMemoryMb: 'WORKERHIVE_CACHE_MEMORY_MB',
  maxDispatchNamespaces: 'WORKERHIVE_MAX_DISPATCH_NAMESPACES',
  maxAccountScripts: 'WORKERHIVE_MAX_ACCOUNT_SCRIPTS',
  maxNamespaceScripts: 'WORKERHIVE_MAX_NAMESPACE_SCRIPTS',
  maxKvNamespaces: 'WORKERHIVE_MAX_KV_NAMESPACES',
  maxRoutesPerZone: 'WORKERHIVE_MAX_ROUTES_PER_ZONE',
  versionsKept: 'WORKERHIVE_VERSIONS_KEPT',
  storage: 'WORKERHIVE_STORAGE',
  postgresUrl: 'WORKERHIVE_POSTGRES_URL',
  postgresSchema: 'WORKERHIVE_POSTGRES_SCHEMA',
  nodeUrl: 'WORKERHIVE_NODE_URL',
  placementLeaseMs: 'WORKERHIVE_PLACEMENT_LEASE_MS',
  logLevel: 'WORKERHIVE_LOG_LEVEL',
  maxRequestBodyMb: 'WORKERHIVE_MAX_REQUEST_BODY_MB',
  accountRequestBodyMb: 'WORKERHIVE_ACCOUNT_REQUEST_BODY_MB',
  privateAllowList: 'WORKERHIVE_PRIVATE_ALLOW_LIST',
  apiHeadersTimeoutMs: 'WORKERHIVE_API_HEADERS_TIMEOUT_MS',
  apiRequestTimeoutMs: 'WORKERHIVE_API_REQUEST_TIMEOUT_MS',
  apiKeepAliveTimeoutMs: 'WORKERHIVE_API_KEEP_ALIVE_TIMEOUT_MS',
  apiMaxConnections: 'WORKERHIVE_API_MAX_CONNECTIONS',
  secretsKey: 'WORKERHIVE_SECRETS_KEY',
  secretsKeyFile: 'WORKERHIVE_SECRETS_KEY_FILE',
}

export function fromEnv(env: NodeJS.ProcessEnv = process.env): ConfigInput {
  const out: Record<string, string> = {}
  for (const [key, name] of Object.entries(envNames)) {
    const value = env[name]
    if (value !== undefined && value !== '') out[key] = value
  }
  return out as ConfigInput
}

/** Flags win over the environment, which wins over defaults. */
export function loadConfig(flags: ConfigInput = {}, env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = ConfigSchema.parse({ ...fromEnv(env), ...stripUndefined(flags) })
  const dataDir = resolve(parsed.dataDir)
  const edgeProcesses = parsed.edgeProcesses ?? Math.max(2, Math.min(availableParallelism(), 4))
  const apiHost = parsed.host === '0.0.0.0' ? '127.0.0.1' : parsed.host
  const publicApiUrl = parsed.publicApiUrl ?? `http://${apiHost}:${parsed.apiPort}/client/v4`
  return Object.freeze({ ...parsed, dataDir, edgeProcesses, publicApiUrl })
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>
}

/** `accountRequestBodyMb` as account id → bytes. */
export function accountBodyBytes(config: Pick<Config, 'accountRequestBodyMb'>): Record<string, number> {
  const out: Record<string, number> = {}
  for (const entry of config.accountRequestBodyMb.split(',').map((e) => e.trim()).filter(Boolean)) {
    const [account, mb] = entry.split('=')
    out[account!] = Number(mb) * 1024 * 1024
  }
  return out
}

/** One entry of the private allow-list: a range and the one port open in it. */
export interface PrivateDestination {
  cidr: string
  port: number
}

/** `privateAllowList` parsed (`10.0.0.0/8:5432` → { cidr: '10.0.0.0/8', port: 5432 }). */
export function privateDestinations(config: Pick<Config, 'privateAllowList'>): PrivateDestination[] {
  return config.privateAllowList
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean)
    .map((entry) => {
      const at = entry.lastIndexOf(':')
      return { cidr: entry.slice(0, at), port: Number(entry.slice(at + 1)) }
    })
}
