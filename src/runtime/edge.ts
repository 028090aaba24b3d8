import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { accountBodyBytes, privateDestinations, type Config } from '../config/config.js'
import { postControl } from './control-client.js'
import { InvalidationLanes, type Invalidation } from './invalidations.js'
import { HEADER_INTERNAL_SECRET } from '../shared/headers.js'
import { CONTROL, type ObjectsReclaim } from '../shared/protocol.js'
import type { Store } from '../storage/store.js'
import { secretToken } from '../util/ids.js'
import type { Clock } from '../util/clock.js'
import type { Logger } from '../util/logger.js'
import { bindEdgeSocket, type EdgeSocket } from './edge-socket.js'
import type { Containment } from './containment.js'
import type { EdgeNotifier } from './edge-notifier.js'
import type { EventHub } from './events.js'
import type { InvocationLog } from './invocation-log.js'
import type { UsageRecorder } from './usage-recorder.js'
import { detectSandbox, sandboxPaths, type Sandbox } from './sandbox.js'
import { SharedContainment } from './shared-containment.js'
import { ScheduledRunner } from './scheduled-runner.js'
import { StartupChecker } from './startup-check.js'
import { Supervisor, workerdBinary, type EdgeProcess, type ProcessSpec } from './supervisor.js'
import { Watchdog } from './watchdog.js'
import { TenantLog } from './tenant-log.js'
import type { Keyring } from '../secrets/sealer.js'
import { hostBundleDirs, workerdConfig } from './workerd-config.js'
import { ownAddressCidrs } from './own-addresses.js'

export interface EdgeDeps {
  store: Store
  /** Opens sealed secrets for upload checks (see StartupCheckDeps.keyring). */
  keyring: Keyring
  log: Logger
  clock: Clock
  /** Where the workerd processes reach Node's internal API, and the per-boot secret it checks. */
  internal: { port: number; secret: string }
  /** Trace events of loaded Workers, as the internal API receives them. */
  events: EventHub
  invocations: InvocationLog
  /** Usage per script and minute, drained from the processes with every probe. */
  usage: UsageRecorder
  /** Bans and probation; the internal API hands them to a process that has just started. */
  containment: Containment
  /**
   * The edge's listening socket when the caller bound it already (startPlatform binds its ports
   * before it writes a file); the edge owns and closes it from then on. Bound here when absent.
   */
  socket?: EdgeSocket
  config: Pick<
    Config,
    | 'dataDir'
    | 'host'
    | 'edgePort'
    | 'edgeDomain'
    | 'edgeProcesses'
    | 'wallClockMs'
    | 'subrequestLimit'
    | 'usageMetering'
    | 'storage'
    | 'colo'
    | 'dev'
    | 'probeIntervalMs'
    | 'probeTimeoutMs'
    | 'processMemoryMb'
    | 'isolateHeapMb'
    | 'maxIsolatesPerProcess'
    | 'sandbox'
    | 'maxRequestBodyMb'
    | 'accountRequestBodyMb'
    | 'privateAllowList'
    | 'apiPort'
    | 'httpsPort'
  >
}

export interface Edge {
  readonly port: number
  /**
   * Loopback port where workerd takes HTTPS requests already decrypted (requests there are seen as
   * `https:`); Node's TLS terminator writes to it. Absent without an HTTPS port.
   */
  readonly tlsPlainPort: number | undefined
  readonly notifier: EdgeNotifier
  processes(): EdgeProcess[]
  readonly watchdog: Watchdog
  /** Lifts a script's probation or ban on every node; false when it had none. */
  liftContainment(key: string): Promise<boolean>
  readonly events: EventHub
  /** Counters and recent trace events of every script, kept in the store. */
  readonly invocations: InvocationLog
  /** Usage per script, minute and outcome, kept in the store (docs/usage.md). */
  readonly usage: UsageRecorder
  readonly sandbox: Sandbox
  /** Runs uploads' top-level code before they are stored (in the probation process). */
  readonly startup: StartupChecker
  /** Runs cron ticks in a workerd process (the scheduler's and the dev endpoint's way in). */
  readonly scheduled: ScheduledRunner
  /**
   * A request to the control socket of the process hosting Durable Objects (process 0): how a call
   * another node forwarded reaches an object this node owns.
   */
  objectsCall(path: string, init: RequestInit): Promise<Response>
  /** SIGKILL one workerd process (it is restarted); for operators and tests. */
  kill(index: number): void
  stop(): Promise<void>
}

/**
 * Bound on one upload's startup check, waiting for a restarting probation process included. A busy
 * loop ends sooner (the watchdog kills the process); this only stops a check from hanging an upload.
 */
const STARTUP_CHECK_DEADLINE_MS = 15_000

/**
 * The data plane: N workerd processes run the host worker, accept edge connections themselves (Node
 * binds the edge socket and is never in the request path), load customers' Workers on demand through
 * the Worker Loader, and reach Node through the internal API the composition root serves.
 */
export async function startEdge(deps: EdgeDeps): Promise<Edge> {
  const { store, log, clock, config, events, invocations, usage, containment } = deps
  const { port: internalPort, secret } = deps.internal
  // Assigned before any process starts; read only from callbacks that run after that.
  let watchdog!: Watchdog
  // Bans and probation outlive a restart and reach every node: loaded before any process starts
  // (a fresh process asks for them before its first invocation).
  const shared = new SharedContainment({ store, containment, log, onReload: () => watchdog?.refreshContainment() })
  await shared.load()

  const nonce = `@wh${secretToken().slice(0, 12)}`
  // Lane `index:port`: one per process, so a restarted process (new port) starts a lane of its own.
  const lanes = new InvalidationLanes((lane, what) => {
    const [index, port] = lane.split(':').map(Number)
    return post(index!, port!, CONTROL.invalidate, JSON.stringify(what))
  })
  const tenantLog = new TenantLog({ log, store })
  let socket: EdgeSocket | undefined
  let gate: EdgeSocket | undefined
  let objects: EdgeSocket | undefined
  let tlsPlain: EdgeSocket | undefined
  let supervisor: Supervisor | undefined
  let sandbox: Sandbox = { kind: 'none', reason: 'not started' }
  try {
    socket = deps.socket ?? bindEdgeSocket(config.host, config.edgePort)
    gate = bindEdgeSocket('127.0.0.1', 0)
    if (config.httpsPort !== undefined) tlsPlain = bindEdgeSocket('127.0.0.1', 0)
    const tlsFd = tlsPlain?.fd
    const probationPort = gate.port
    // Every Durable Object lives in edge process 0 (one instance per id); the others reach it here.
    objects = bindEdgeSocket('127.0.0.1', 0)
    const objectsPort = objects.port
    const objectsDir = join(config.dataDir, 'objects')
    mkdirSync(objectsDir, { recursive: true })
    const runtimeDir = join(config.dataDir, 'runtime')
    mkdirSync(runtimeDir, { recursive: true })
    sandbox = detectSandbox(sandboxPaths(workerdBinary(), hostBundleDirs, runtimeDir), !config.sandbox)
    if (sandbox.kind === 'none') log.warn({ reason: sandbox.reason }, 'workerd runs WITHOUT a sandbox: tenants share the host user and view of the filesystem')
    else log.info({}, 'workerd runs sandboxed (bubblewrap: own user, pid, ipc namespaces; read-only minimal filesystem)')
    const specs: ProcessSpec[] = [
      ...Array.from({ length: config.edgeProcesses }, (_, i) => ({
        role: 'edge' as const,
        fd: socket!.fd,
        socketName: 'http',
        ...(tlsFd === undefined ? {} : { tlsFd }),
        ...(i === 0 ? { extra: { fd: objects!.fd, socketName: 'objects' }, writable: [objectsDir] } : {}),
      })),
      { role: 'probation', fd: gate.fd, socketName: 'gate' },
    ]
    // Read once: a restarted process keeps its siblings' egress filter.
    const ownAddresses = ownAddressCidrs()
    // The platform's own ports are never opened to Workers, on any machine (another node's API).
    const platformPorts = new Set([socket.port, config.apiPort, internalPort, ...(config.httpsPort ? [config.httpsPort] : [])])
    const privateAllow = privateDestinations(config).filter((d) => {
      if (!platformPorts.has(d.port)) return true
      log.warn({ destination: `${d.cidr}:${d.port}` }, "private allow-list entry ignored: it names one of the platform's own ports")
      return false
    })
    const configPath = (index: number, spec: ProcessSpec): string => {
      const path = join(runtimeDir, `workerd-${index}.capnp`)
      const text = workerdConfig({
        configDir: runtimeDir,
        internalPort,
        probationPort,
        objectsPort,
        objectsDir: spec.extra ? objectsDir : undefined,
        role: spec.role,
        tls: spec.tlsFd !== undefined,
        edgeDomain: config.edgeDomain,
        processIndex: index,
        heapMb: config.isolateHeapMb,
        wallClockMs: config.wallClockMs,
        subrequestLimit: config.subrequestLimit,
        colo: config.colo,
        dev: config.dev,
        maxBodyBytes: config.maxRequestBodyMb * 1024 * 1024,
        accountBodyBytes: accountBodyBytes(config),
        ownAddresses,
        privateAllow,
        usage: config.usageMetering,
        placedObjects: config.storage === 'postgres',
      })
      writeFileSync(path, text)
      return path
    }
    supervisor = new Supervisor({
      processes: specs,
      sandboxPrefix: sandbox.kind === 'bubblewrap' ? sandbox.prefix : [],
      configPath,
      env: { WORKERHIVE_INTERNAL_SECRET: secret, WORKERHIVE_WATCH_NONCE: nonce },
      log: log.child({ component: 'supervisor' }),
      onStdout: (index, line) => {
        if (!watchdog.onStdout(index, line)) tenantLog.line(index, 'stdout', line)
      },
      onStderr: (index, line) => tenantLog.line(index, 'stderr', line),
      onExit: (index, code, signal) => watchdog.onExit(index, specs[index]!.role, code, signal),
      onReady: (p) => void pushContainment([p]),
    })
    const sup = supervisor
    watchdog = new Watchdog({
      target: { processes: () => sup.processes(), kill: (i) => sup.kill(i), recycle: (i, grace) => sup.recycle(i, grace) },
      secret,
      nonce,
      log: log.child({ component: 'watchdog' }),
      options: {
        probeIntervalMs: config.probeIntervalMs,
        probeTimeoutMs: config.probeTimeoutMs,
        rssLimitBytes: config.processMemoryMb * 1024 * 1024,
        maxIsolates: config.maxIsolatesPerProcess,
      },
      containment,
      push: () => pushContainment(sup.processes()),
      onCounts: (counts) => invocations.addCounts(counts),
      onUsage: (drained) => usage.add(drained),
      onContainment: (changed) => void shared.written(changed),
    })
    // Entries loaded from the store expire on schedule like fresh ones.
    watchdog.refreshContainment()
    await supervisor.start()
    watchdog.start()
    invocations.start()
    usage.start()
  } catch (err) {
    await supervisor?.stop()
    socket?.close()
    gate?.close()
    objects?.close()
    tlsPlain?.close()
    throw err
  }
  const sup = supervisor
  const edgeSocket = socket
  const gateSocket = gate
  const objectsSocket = objects
  const tlsPlainSocket = tlsPlain
  log.info({ port: edgeSocket.port, processes: config.edgeProcesses }, 'edge listening')

  return {
    port: edgeSocket.port,
    tlsPlainPort: tlsPlainSocket?.port,
    notifier: {
      scriptChanged: (change) =>
        broadcast({
          scripts: [{ accountId: change.accountId, namespaceId: change.namespaceId ?? '', name: change.name }],
        }),
      routesChanged: () => broadcast({ routes: true }),
      kvChanged: (change) => broadcast({ kv: [change] }),
      everythingChanged: () => broadcast({ all: true }),
      objectsDeleted: (namespaceIds) => reclaimObjects(namespaceIds),
    },
    processes: () => sup.processes(),
    watchdog,
    async liftContainment(key) {
      const lifted = containment.lift(key)
      if (!lifted) return false
      // Pushed before answering, so the operator's next request already runs.
      watchdog.refreshContainment()
      await pushContainment(sup.processes())
      await shared.written([lifted])
      return true
    },
    events,
    invocations,
    usage,
    sandbox,
    startup: new StartupChecker({
      store,
      keyring: deps.keyring,
      clock,
      secret,
      processes: () => sup.processes(),
      whenReady: (index) => sup.whenReady(index),
      whenExited: (index, pid) => sup.whenExited(index, pid),
      deadlineMs: STARTUP_CHECK_DEADLINE_MS,
    }),
    scheduled: new ScheduledRunner({ processes: () => sup.processes(), secret }),
    async objectsCall(path, init) {
      const host = sup.processes().find((p) => p.index === 0 && p.role === 'edge')
      if (!host?.controlPort || host.state !== 'ready') return new Response('the objects process is restarting', { status: 503 })
      const headers = new Headers(init.headers)
      headers.set(HEADER_INTERNAL_SECRET, secret)
      return fetch(`http://127.0.0.1:${host.controlPort}${path}`, { ...init, headers })
    },
    kill: (index) => sup.kill(index),
    async stop() {
      watchdog.stop()
      // What the processes counted since the last probe, before they go.
      await watchdog.drain()
      await sup.stop()
      // What the buffers and pending writes hold goes to the store before it closes.
      await invocations.stop()
      await usage.stop()
      await shared.settled()
      edgeSocket.close()
      gateSocket.close()
      objectsSocket.close()
      tlsPlainSocket?.close()
    },
  }

  function pushContainment(processes: EdgeProcess[]): Promise<void> {
    return send(processes, CONTROL.containment, containment.state())
  }

  /**
   * Invalidations reach every process before the change answers; but the probation process runs
   * only scripts on probation, so while there are none the change does not wait for it (it may be
   * busy with an upload's startup check, and every other upload would queue behind it).
   */
  function broadcast(what: Invalidation): Promise<void> {
    const processes = supervisor!.processes()
    if (containment.state().probation.length > 0) return invalidateIn(processes, what)
    void invalidateIn(processes.filter((p) => p.role === 'probation'), what)
    return invalidateIn(processes.filter((p) => p.role !== 'probation'), what)
  }

  function invalidateIn(processes: EdgeProcess[], what: Invalidation): Promise<void> {
    const ready = processes.filter((p) => p.state === 'ready' && p.controlPort)
    return Promise.all(ready.map((p) => lanes.send(`${p.index}:${p.controlPort}`, what))).then(() => {})
  }

  /**
   * One edge process asks the objects process (through OBJECTS) to delete the namespaces' objects.
   * Failures are logged, not thrown: the migration is stored, and an object the reclaim missed is
   * deleted when it is next reached (its host finds its namespace gone).
   */
  async function reclaimObjects(namespaceIds: string[]): Promise<void> {
    if (namespaceIds.length === 0) return
    const p = supervisor!.processes().find((x) => x.role === 'edge' && x.state === 'ready' && x.controlPort)
    if (!p) return void log.warn({ namespaceIds }, 'no edge process to reclaim deleted Durable Objects; they go when next reached')
    try {
      const res = await fetch(`http://127.0.0.1:${p.controlPort}${CONTROL.reclaimObjects}`, {
        method: 'POST',
        headers: { [HEADER_INTERNAL_SECRET]: secret, 'content-type': 'application/json' },
        body: JSON.stringify({ namespaceIds } satisfies ObjectsReclaim),
      })
      if (!res.ok) throw new Error(`workerd ${p.index} answered HTTP ${res.status}: ${await res.text()}`)
      const { objects } = (await res.json()) as { objects: number }
      log.info({ namespaceIds, objects }, 'deleted Durable Object classes: objects reclaimed')
    } catch (err) {
      log.warn({ err, namespaceIds }, 'could not reclaim deleted Durable Objects; they go when next reached')
    }
  }

  async function send(processes: EdgeProcess[], path: string, body: unknown): Promise<void> {
    const ready = processes.filter((p) => p.state === 'ready' && p.controlPort)
    const text = JSON.stringify(body)
    await Promise.all(ready.map((p) => post(p.index, p.controlPort!, path, text)))
  }

  async function post(index: number, port: number, path: string, text: string): Promise<void> {
    try {
      const res = await postControl(port, path, secret, text, AbortSignal.timeout(2000))
      await res.discard()
    } catch (err) {
      // A process that cannot take the message is stuck or dying; the watchdog replaces it,
      // and a fresh process starts with empty caches.
      log.warn({ err, workerd: index, path }, 'could not reach a workerd control socket')
    }
  }

}
