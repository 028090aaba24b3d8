import { spawn, type ChildProcess } from 'node:child_process'
import { createRequire } from 'node:module'
import { createInterface } from 'node:readline'
import type { Readable } from 'node:stream'
import type { Logger } from '../util/logger.js'

const require = createRequire(import.meta.url)

/** How often a workerd process may die while the platform starts before the start fails. */
const START_ATTEMPTS = 3

export const workerdBinary = (): string => require.resolve('workerd/bin/workerd')

/**
 * Runs before workerd: makes the kernel SIGKILL it when Node dies (no orphan keeps serving the
 * port), calls listen() on the inherited listening sockets (fd 3; fd 5 for HTTPS's plaintext side
 * when there is one; fd 6 for the objects gate in edge process 0), then becomes workerd (same pid).
 */
const LAUNCHER = [
  'import ctypes, os, signal, socket, sys',
  'ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)',
  // Node may have died before prctl: then the parent is no longer Node (init, or a container's
  // subreaper, which is why this compares with Node's pid rather than with 1).
  'sys.exit(70) if os.getppid() != int(sys.argv[1]) else None',
  'for fd in sys.argv[2].split(","): s = socket.socket(fileno=int(fd)); s.listen(4096); s.detach()',
  'os.execv(sys.argv[3], sys.argv[3:])',
].join('\n')

export type ProcessState = 'starting' | 'ready' | 'exited'

export type ProcessRole = 'edge' | 'probation'

export interface EdgeProcess {
  readonly index: number
  readonly role: ProcessRole
  readonly pid: number | undefined
  readonly state: ProcessState
  /** Loopback port of the process's control socket, once ready. */
  readonly controlPort: number | undefined
  readonly startedAt: number
  readonly restarts: number
}

export interface ProcessSpec {
  role: ProcessRole
  /** Listening socket the process inherits as fd 3. */
  fd: number
  /** Name of that socket in the process's config. */
  socketName: string
  /** Listening socket of the HTTPS terminator's plaintext side, inherited as fd 5 (`tls` in the config). */
  tlsFd?: number
  /** A second listening socket, inherited as fd 6 (the objects process's gate). */
  extra?: { fd: number; socketName: string }
  /** Directories this process may write inside its sandbox (the objects' storage). */
  writable?: string[]
}

export interface SupervisorOptions {
  processes: ProcessSpec[]
  /** Command prefix that confines workerd (bubblewrap), or none. */
  sandboxPrefix: string[]
  configPath: (index: number, spec: ProcessSpec) => string
  env: Record<string, string>
  log: Logger
  /** Called whenever a process becomes ready (e.g. to push state to it). */
  onReady?: (p: EdgeProcess) => void
  /** Every line a process prints on stdout (tenants' console output and the host's marks). */
  onStdout?: (index: number, line: string) => void
  /** Every line a process prints on stderr (tenants' console.error and console.warn, workerd's own). */
  onStderr?: (index: number, line: string) => void
  /** A process exited (crash, OOM abort, or killed) and is about to be restarted. */
  onExit?: (index: number, code: number | null, signal: string | null) => void
}

interface Slot {
  index: number
  spec: ProcessSpec
  child: ChildProcess | undefined
  state: ProcessState
  controlPort: number | undefined
  startedAt: number
  restarts: number
  ready: Promise<void>
  quickCrashes: number
  /** Killed on purpose (the watchdog): its exit is not a crash to back off from. */
  killed: boolean
}

/** Starts N workerd processes on the shared edge socket, restarts them when they exit, kills them on stop. */
export class Supervisor {
  readonly #opts: SupervisorOptions
  readonly #slots: Slot[] = []
  /** Callers waiting for a process to (re)start, by index. */
  readonly #readyWaiters = new Map<number, Array<() => void>>()
  #stopping = false

  constructor(opts: SupervisorOptions) {
    this.#opts = opts
  }

  async start(): Promise<void> {
    for (const [i, spec] of this.#opts.processes.entries()) {
      const slot: Slot = { index: i, spec, child: undefined, state: 'exited', controlPort: undefined, startedAt: 0, restarts: 0, ready: Promise.resolve(), quickCrashes: 0, killed: false }
      this.#slots.push(slot)
      this.#spawn(slot)
    }
    await Promise.all(this.#slots.map((s) => this.#firstReady(s)))
  }

  /**
   * A process that dies while starting is respawned by its exit handler (a sandbox or the machine
   * can fail once); a process that keeps failing fails the start, with what it printed.
   */
  async #firstReady(slot: Slot): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const ready = slot.ready
      try {
        return await ready
      } catch (err) {
        if (attempt >= START_ATTEMPTS || this.#stopping) throw err
        // The exit handler respawns after its back-off, which replaces slot.ready.
        while (slot.ready === ready && !this.#stopping) await new Promise((r) => setTimeout(r, 20))
      }
    }
  }

  processes(): EdgeProcess[] {
    return this.#slots.map((s) => ({
      index: s.index,
      role: s.spec.role,
      pid: s.child?.pid,
      state: s.state,
      controlPort: s.controlPort,
      startedAt: s.startedAt,
      restarts: s.restarts,
    }))
  }

  /** Resolves once process `index` is ready: at once if it is, else when it has (re)started. */
  whenReady(index: number): Promise<void> {
    if (this.#slots[index]?.state === 'ready') return Promise.resolve()
    return new Promise((resolve) => {
      const waiting = this.#readyWaiters.get(index) ?? []
      waiting.push(resolve)
      this.#readyWaiters.set(index, waiting)
    })
  }

  /** Resolves once process `index` is no longer the process `pid` (it exited, or was replaced). */
  whenExited(index: number, pid: number | undefined): Promise<void> {
    const child = this.#slots[index]?.child
    if (!child || child.pid !== pid || child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
    return new Promise((resolve) => child.once('exit', () => resolve()))
  }

  /**
   * Graceful replacement: SIGTERM lets workerd finish its in-flight requests while the other
   * processes take new connections; SIGKILL follows after `graceMs` in case it never finishes.
   */
  recycle(index: number, graceMs: number): void {
    const child = this.#slots[index]?.child
    if (!child || child.exitCode !== null || child.signalCode !== null) return
    child.kill('SIGTERM')
    const timer = setTimeout(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    }, graceMs)
    timer.unref()
    child.once('exit', () => clearTimeout(timer))
  }

  /** SIGKILL, then let the exit handler respawn it: a stuck workerd ignores SIGTERM. */
  kill(index: number): void {
    const slot = this.#slots[index]
    if (slot?.child) slot.killed = true
    slot?.child?.kill('SIGKILL')
  }

  async stop(): Promise<void> {
    this.#stopping = true
    await Promise.all(
      this.#slots.map(
        (s) =>
          new Promise<void>((resolve) => {
            const child = s.child
            if (!child || child.exitCode !== null || child.signalCode !== null) return resolve()
            child.once('exit', () => resolve())
            child.kill('SIGKILL')
          }),
      ),
    )
  }

  #spawn(slot: Slot): void {
    const { log } = this.#opts
    const { spec } = slot
    const config = this.#opts.configPath(slot.index, spec)
    const tls = spec.tlsFd === undefined ? [] : ['--socket-fd', 'tls=5']
    // The objects gate (edge process 0) is fd 6, after the HTTPS terminator's fd 5.
    const objects = spec.extra ? ['--socket-fd', `${spec.extra.socketName}=6`] : []
    const workerd = [workerdBinary(), 'serve', config, '--experimental', '--socket-fd', `${spec.socketName}=3`, ...tls, ...objects, '--control-fd=4']
    const binds = (spec.writable ?? []).flatMap((p) => ['--bind', p, p])
    const sandboxed = this.#opts.sandboxPrefix.length ? [...this.#opts.sandboxPrefix, ...binds, '--', ...workerd] : workerd
    const listen = ['3', ...(spec.tlsFd === undefined ? [] : ['5']), ...(spec.extra ? ['6'] : [])].join(',')
    const args = ['-c', LAUNCHER, String(process.pid), listen, ...sandboxed]
    const inherited: Array<number | 'ignore'> = spec.extra ? [spec.tlsFd ?? 'ignore', spec.extra.fd] : spec.tlsFd === undefined ? [] : [spec.tlsFd]
    const child = spawn('python3', args, {
      stdio: ['ignore', 'pipe', 'pipe', spec.fd, 'pipe', ...inherited],
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...this.#opts.env },
    })
    slot.child = child
    slot.state = 'starting'
    slot.controlPort = undefined
    slot.startedAt = Date.now()
    const plog = log.child({ workerd: slot.index, pid: child.pid })
    const onStdout = this.#opts.onStdout
    forwardLines(child.stdout!, (line) => (onStdout ? onStdout(slot.index, line) : plog.debug({ stream: 'stdout' }, line)))
    const onStderr = this.#opts.onStderr
    // The last lines a process printed say why it died before it was ready.
    const lastWords: string[] = []
    forwardLines(child.stderr!, (line) => {
      lastWords.push(line)
      if (lastWords.length > 5) lastWords.shift()
      return onStderr ? onStderr(slot.index, line) : plog.warn({ stream: 'stderr' }, line)
    })

    slot.ready = new Promise<void>((resolve, reject) => {
      forwardLines(child.stdio[4] as Readable, (line) => {
        let event: { event?: string; socket?: string; port?: number }
        try {
          event = JSON.parse(line)
        } catch {
          return
        }
        if (event.event === 'listen' && event.socket === 'control' && event.port) {
          slot.controlPort = event.port
          slot.state = 'ready'
          plog.info({ controlPort: event.port, ms: Date.now() - slot.startedAt }, 'workerd ready')
          this.#opts.onReady?.(this.processes()[slot.index]!)
          for (const wake of this.#readyWaiters.get(slot.index) ?? []) wake()
          this.#readyWaiters.delete(slot.index)
          resolve()
        }
      })
      child.once('exit', (code, signal) => {
        const wasReady = slot.state === 'ready'
        slot.state = 'exited'
        slot.controlPort = undefined
        if (!wasReady) {
          const said = lastWords.length > 0 ? `: ${lastWords.join(' | ')}` : ''
          reject(new Error(`workerd ${slot.index} exited before it was ready (code ${code}, signal ${signal})${said}`))
        }
        if (this.#stopping) return
        plog.warn({ code, signal }, 'workerd exited; restarting')
        this.#opts.onExit?.(slot.index, code, signal)
        // Back off when a process dies right after starting, so a broken config cannot spin the CPU.
        // A kill is no crash: the watchdog replacing a stuck or stopped process must not wait.
        slot.quickCrashes = !slot.killed && Date.now() - slot.startedAt < 2000 ? slot.quickCrashes + 1 : 0
        slot.killed = false
        const delay = Math.min(5000, slot.quickCrashes === 0 ? 0 : 100 * 2 ** slot.quickCrashes)
        slot.restarts++
        setTimeout(() => {
          if (!this.#stopping) this.#spawn(slot)
        }, delay).unref()
      })
    })
    slot.ready.catch(() => {})
  }
}

function forwardLines(stream: Readable, onLine: (line: string) => void): void {
  createInterface({ input: stream, crlfDelay: Infinity }).on('line', onLine)
}
