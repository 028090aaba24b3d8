// Startup checks: a version's top-level code runs here before the version is stored, so an upload
// that throws at startup or registers nothing is refused (as Cloudflare's validator does) instead of
// answering 1101 forever. Node sends the checks to the probation process, where a top-level busy
// loop stalls only scripts already under suspicion until the watchdog kills the process.
import { OWN } from '../shims/main-module.worker.js'
import type { HostEnv } from '../env.worker.js'
import { markEnd, markStart } from './guard.worker.js'
import { workerCode } from '../pipeline/loader.worker.js'
import { STARTUP_CHECK_KEY, type StartupCheck, type StartupCheckResult } from '../../shared/protocol.js'

/** How the Worker Loader prefixes the exception of a Worker whose top level threw. */
const FAILED_TO_START = 'Failed to start Worker:\n'

const REPORT = `${OWN}startup-report.js`
const LISTENERS = `${OWN}startup-listeners.js`

let checksRun = 0

/**
 * Startup checks this process has run. Their isolates are dropped, but the process keeps some of
 * their memory, so the watchdog counts them like loaded isolates and recycles the process in time.
 */
export const startupChecksRun = (): number => checksRun

/** Counts one more check isolate (a batch of several candidates is one). */
export function countStartupCheck(): void {
  checksRun++
}

export async function checkStartup(env: HostEnv, ctx: ExecutionContext<unknown>, check: StartupCheck): Promise<StartupCheckResult> {
  const d = check.script
  const key = `${STARTUP_CHECK_KEY}${d.accountId}/${d.namespaceId}/${d.name}`
  const code = await workerCode(env, ctx, d, key, {}, check.code)
  // The generated main module is evaluated first, as at the edge (the Cache API shim, a service
  // worker's globals); a report module on top says what the customer's code registered.
  code.modules[REPORT] = { js: d.format === 'service-worker' ? serviceWorkerReport() : modulesReport(d.mainModule) }
  if (d.format === 'service-worker') code.modules[LISTENERS] = { js: LISTENER_RECORDER }
  code.mainModule = REPORT
  code.tails = []
  // Marked like an invocation: if the check never yields, the watchdog blames it, not a suspect.
  countStartupCheck()
  const id = markStart(env, key)
  try {
    // load(), not get(): the isolate is dropped with the stub instead of staying in the loader.
    const stub = env.LOADER.load(code)
    const res = await stub.getEntrypoint().fetch('http://startup-check.invalid/')
    return (await res.json()) as StartupCheckResult
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err)
    return { ok: false, error: message.startsWith(FAILED_TO_START) ? message.slice(FAILED_TO_START.length) : message }
  } finally {
    markEnd(env, id)
  }
}

/** Records the event types a service worker listens to; evaluated before the customer's script. */
const LISTENER_RECORDER = `export const listened = []
const original = globalThis.addEventListener
globalThis.addEventListener = function addEventListener(type, ...rest) {
  listened.push(String(type))
  return original.call(globalThis, type, ...rest)
}
`

function serviceWorkerReport(): string {
  return `import { listened } from "./startup-listeners.js"
import "./main.js"
export default {
  fetch() {
    return new Response(JSON.stringify({ ok: true, listeners: listened }))
  },
}
`
}

/**
 * JS source: `shape(value)` describes one export of a main module the way workerd sorts exports
 * into handlers and classes (the module imports `cloudflare:workers` as `workers`).
 */
export const EXPORT_SHAPES = `function members(proto) {
  const names = new Set()
  for (; proto && proto !== Object.prototype && proto !== Function.prototype; proto = Object.getPrototypeOf(proto)) {
    for (const name of Object.getOwnPropertyNames(proto)) if (name !== "constructor") names.add(name)
  }
  return [...names]
}
function extendsBase(value, base) {
  return typeof base === "function" && value.prototype instanceof base
}
function shape(value) {
  if (typeof value === "function") {
    const kind = extendsBase(value, workers.DurableObject) ? "durable-object"
      : extendsBase(value, workers.WorkerEntrypoint) ? "entrypoint"
      : extendsBase(value, workers.WorkflowEntrypoint) ? "workflow"
      : "class"
    return { kind, members: members(value.prototype) }
  }
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    return { kind: "object", members: [...new Set([...Object.keys(value), ...members(Object.getPrototypeOf(value))])] }
  }
  return { kind: "other", members: [] }
}
function shapes(app) {
  const exports = {}
  for (const [name, value] of Object.entries(app)) exports[name] = shape(value)
  return exports
}
`

/** Describes every export of the main module the way workerd sorts them into handlers and classes. */
function modulesReport(mainModule: string): string {
  return `import "./main.js"
import * as app from ${JSON.stringify('../' + mainModule)}
import * as workers from "cloudflare:workers"
${EXPORT_SHAPES}
export default {
  fetch() {
    return new Response(JSON.stringify({ ok: true, exports: shapes(app) }))
  },
}
`
}
