import { readdirSync, readFileSync } from 'node:fs'
import { basename, join, relative, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { PrivateDestination } from '../config/config.js'

/** The compiled sources (dist/src), whatever the current module's location in dist. */
const srcDir = fileURLToPath(new URL('../', import.meta.url))
/** The compiled host worker (dist/src/host). */
export const hostDir = join(srcDir, 'host')
/** The modules both worlds compile (dist/src/shared); the host worker imports them as `../shared/…`. */
export const sharedDir = join(srcDir, 'shared')
/** The binding kinds (dist/src/bindings): their workerd halves and the wires both halves share. */
export const bindingsDir = join(srcDir, 'bindings')
/** Every directory workerd reads the host worker's modules from. */
export const hostBundleDirs = [hostDir, sharedDir, bindingsDir]

/**
 * Whether a compiled file is a module of the host worker. A binding kind's folder holds its Node
 * half too (schema, handlers: zod, node:), which workerd must never see: only its `*.worker.js`
 * files and its `wire.js` (compiled in both worlds) are embedded.
 */
export const isHostModule = (path: string): boolean =>
  path.endsWith('.js') &&
  !isIsolateModule(path) &&
  (!path.startsWith(bindingsDir) || path.endsWith('.worker.js') || path.endsWith('/wire.js'))

/** The host's own modules evaluated in customers' isolates (dist/src/host/shims/isolate). */
export const isolateDir = join(hostDir, 'shims', 'isolate')

/**
 * Modules evaluated in customers' isolates (`host/shims/isolate/`, `bindings/<kind>/isolate/`):
 * shipped to the host as text, never host modules themselves.
 */
const isIsolateModule = (path: string): boolean => path.endsWith('.js') && path.split(sep).at(-2) === 'isolate'

/** The isolate modules' compiled text by file name (the loader's `__workerhive/<file>`), for SHIMS. */
function isolateModules(): Record<string, string> {
  const out: Record<string, string> = {}
  for (const path of [isolateDir, bindingsDir].flatMap(walk).filter(isIsolateModule)) {
    const file = basename(path)
    if (out[file] !== undefined) throw new Error(`two isolate modules are named ${file}: names must be unique`)
    // The source map comment points at a file the customer's isolate cannot read.
    out[file] = readFileSync(path, 'utf8').replace(/\n\/\/# sourceMappingURL=.*\n?$/, '\n')
  }
  return out
}

/** ObjectHost's unique key: workerd keeps its objects' files in `<objects dir>/<this>/`. */
export const OBJECTS_UNIQUE_KEY = 'workerhive-objects'

export interface WorkerdConfigInput {
  /** Directory the config file is written to: capnp resolves `embed` paths relative to it. */
  configDir: string
  internalPort: number
  edgeDomain: string
  processIndex: number
  /** `edge` processes serve end users; the one `probation` process runs suspect scripts. */
  role: 'edge' | 'probation'
  /** Whether an edge process also serves HTTPS's decrypted side (socket `tls`, inherited). */
  tls?: boolean
  /** Loopback port of the probation gate, which edge processes forward suspect scripts to. */
  probationPort: number
  /** Loopback port of the objects gate (Cap'n Proto RPC), served by the process hosting Durable Objects. */
  objectsPort: number
  /** Set in the one process that hosts every Durable Object: their storage directory. */
  objectsDir?: string | undefined
  /** Per-isolate V8 heap cap in MiB (Cloudflare's limit is 128 MB per isolate). */
  heapMb: number
  wallClockMs: number
  subrequestLimit: number
  colo: string
  dev: boolean
  /** Largest request body the edge passes to a Worker, and per-account caps over it. */
  maxBodyBytes: number
  accountBodyBytes: Record<string, number>
  /** This machine's own addresses (single-host CIDRs): denied to every Worker. */
  ownAddresses: string[]
  /** The operator's private allow-list, for account scripts only. */
  privateAllow: PrivateDestination[]
  usage: boolean
  /** Several nodes share the store: objects have one owner node each (see HostSettings). */
  placedObjects: boolean
}

// Addresses workerd's "public" class may still include, and loopback (the whole of it, whatever
// the interfaces say), which the operator's allow-list must not open either.
const DENY = ['127.0.0.0/8', '::1/128', '100.64.0.0/10', '169.254.0.0/16', '192.0.0.0/24', '198.18.0.0/15', 'fc00::/7', 'fe80::/10']

/**
 * A socket's HTTP options that set `x-forwarded-proto` to the scheme the request really came with,
 * replacing whatever the client sent; the host worker gives the request that scheme. (workerd's
 * own forwardedProtoHeader reads the header before the injection replaces it: a client could fake it.)
 */
const schemeOptions = (scheme: 'http' | 'https'): string =>
  `(injectRequestHeaders = [(name = "x-forwarded-proto", value = "${scheme}")])`

/**
 * The workerd config of one process, in capnp text. The listening socket has no address: it is
 * inherited (`--socket-fd <name>=3`), so every edge process accepts from the one queue Node bound,
 * and a restarted probation process keeps the gate's port and queued connections.
 */
export function workerdConfig(input: WorkerdConfigInput): string {
  const modules = hostModules(input.configDir)
  const probation = input.role === 'probation'
  const settings = JSON.stringify({
    edgeDomain: input.edgeDomain,
    processIndex: input.processIndex,
    probation,
    wallClockMs: input.wallClockMs,
    subrequestLimit: input.subrequestLimit,
    colo: input.colo,
    dev: input.dev,
    maxBodyBytes: input.maxBodyBytes,
    accountBodyBytes: input.accountBodyBytes,
    privatePorts: privatePorts(input.privateAllow),
    usage: input.usage,
    placedObjects: input.placedObjects,
  })
  const deny = [...DENY, ...input.ownAddresses]
  // One network per allow-listed port: the public internet plus that port's private ranges, so a
  // range is open on its own port only (workerd's networks filter addresses, not ports).
  const privateNetworks = privatePorts(input.privateAllow).map((port) => ({
    port,
    allow: ['public', ...input.privateAllow.filter((d) => d.port === port).map((d) => d.cidr)],
  }))
  const privateServices = privateNetworks
    .map((n) => `\n    (name = "private-${n.port}", network = (allow = ${capnpList(n.allow)}, deny = ${capnpList(deny)})),`)
    .join('')
  const privateBindings = privateNetworks.map((n) => `\n    (name = "PRIVATE_${n.port}", service = "private-${n.port}"),`).join('')
  // Both roles inherit their listening socket as fd 3: the shared edge queue, or the probation gate.
  // The scheme a request arrived with is the one its socket says (x-forwarded-proto), never the
  // client's: HTTPS arrives decrypted on its own socket.
  const inherited = probation
    ? `(name = "gate", http = (), service = (name = "host", entrypoint = "ProbationGate"))`
    : `(name = "http", http = ${schemeOptions('http')}, service = "host")${input.tls ? `,\n    (name = "tls", http = ${schemeOptions('https')}, service = "host")` : ''}`
  const probationService = probation
    ? ''
    : `
    (name = "probation", external = (address = "127.0.0.1:${input.probationPort}", http = ())),`
  const probationBinding = probation ? '' : `
    (name = "PROBATION", service = "probation"),`
  // Durable Objects: every process reaches the objects gate; one hosts the objects (ObjectHost,
  // SQLite on local disk) and serves the gate on its inherited second socket.
  const hostsObjects = input.objectsDir !== undefined
  const objectsServices = `
    (name = "objects", external = (address = "127.0.0.1:${input.objectsPort}", http = (capnpConnectHost = "capnp"))),${
      hostsObjects ? `
    (name = "objects-disk", disk = (path = ${capnpString(input.objectsDir!)}, writable = true)),` : ''
    }`
  const objectsSocket = hostsObjects
    ? `
    (name = "objects", http = (capnpConnectHost = "capnp"), service = (name = "host", entrypoint = "ObjectsGate")),`
    : ''
  const objectsStorage = hostsObjects
    ? `
  durableObjectNamespaces = [(className = "ObjectHost", uniqueKey = "${OBJECTS_UNIQUE_KEY}", enableSql = true)],
  durableObjectStorage = (localDisk = "objects-disk"),`
    : ''
  return `using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "host", worker = .host),
    (name = "internal", external = (address = "127.0.0.1:${input.internalPort}", http = ())),
    (name = "internet", network = (allow = ["public"], deny = ${capnpList(deny)})),${privateServices}${probationService}${objectsServices}
  ],
  sockets = [
    ${inherited},
    (name = "control", address = "127.0.0.1:0", http = (), service = (name = "host", entrypoint = "Control")),${objectsSocket}
  ],
  v8Flags = ["--max-old-space-size=${input.heapMb}"],
);

const host :Workerd.Worker = (
  modules = [
${modules.map((m) => `    (name = ${capnpString(m.name)}, esModule = embed ${capnpString(m.path)}),`).join('\n')}
  ],
  compatibilityDate = "2026-01-01",
  # Fetcher.scheduled() on a loaded Worker's entrypoint: how cron ticks reach a tenant's handler.
  compatibilityFlags = ["service_binding_extra_handlers"],
  bindings = [
    (name = "LOADER", workerLoader = (id = "tenants")),
    (name = "INTERNAL", service = "internal"),
    (name = "INTERNET", service = "internet"),${privateBindings}
    (name = "INTERNAL_SECRET", fromEnvironment = "WORKERHIVE_INTERNAL_SECRET"),
    (name = "WATCH_NONCE", fromEnvironment = "WORKERHIVE_WATCH_NONCE"),${probationBinding}
    (name = "OBJECTS", service = "objects"),
    (name = "SETTINGS", json = ${capnpString(settings)}),
    (name = "SHIMS", json = ${capnpString(JSON.stringify(isolateModules()))}),
  ],${objectsStorage}
);
`
}

/**
 * Every compiled host module, named by its path under dist/src (`host/…`, `shared/…`, `bindings/…`) so relative
 * imports resolve between them; the entry module first, as workerd takes the first as main.
 */
function hostModules(configDir: string): Array<{ name: string; path: string }> {
  const files = hostBundleDirs.flatMap(walk).filter(isHostModule)
  const list = files.map((path) => ({ name: relative(srcDir, path), path: relative(configDir, path) }))
  list.sort((a, b) => (a.name === 'host/entry.worker.js' ? -1 : b.name === 'host/entry.worker.js' ? 1 : a.name.localeCompare(b.name)))
  return list
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)],
  )
}

const capnpString = (s: string): string => JSON.stringify(s)
const capnpList = (items: string[]): string => `[${items.map(capnpString).join(', ')}]`

const privatePorts = (list: PrivateDestination[]): number[] => [...new Set(list.map((d) => d.port))].sort((a, b) => a - b)
