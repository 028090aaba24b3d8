// Several uploads' startup checks in one isolate: a fresh isolate costs the probation process
// several milliseconds of CPU, the top level of a typical upload a fraction of that. The
// candidates' modules sit side by side under their own folders and are evaluated in turn, at
// global scope as in a check of their own (I/O, timers and random values stay refused there).
// Only passes come out of a batch: a batch that fails to start, and every candidate evaluated
// after one that changed the global scope, are left to a check of their own, which gives the
// exact error, so a neighbour can neither refuse an upload nor make it pass.
import { OWN } from '../shims/main-module.worker.js'
import type { HostEnv } from '../env.worker.js'
import { markEnd, markStart } from './guard.worker.js'
import { workerCode } from '../pipeline/loader.worker.js'
import { EXPORT_SHAPES, countStartupCheck } from './startup.worker.js'
import { STARTUP_CHECK_KEY, type StartupCheck, type StartupCheckResult } from '../../shared/protocol.js'

/**
 * Shims evaluated once per isolate (they define globals, or wrap the console): shared by the
 * batch, and imported before the global scope is first recorded, in the order each main imports them.
 */
const ONCE = ['cpu-meter.js', 'console.js', 'caches.js']

const REPORT = `${OWN}startup-batch.js`
const SCOPE = `${OWN}startup-batch-scope.js`
const folder = (i: number): string => `c${i}/`

/**
 * Checks module-format candidates that share everything an isolate is built from but their code
 * and name (same bindings, dates, flags, account). Per candidate: its result, or null when only a
 * check of its own can tell.
 */
export async function checkStartupBatch(
  env: HostEnv,
  ctx: ExecutionContext<unknown>,
  checks: StartupCheck[],
): Promise<Array<StartupCheckResult | null>> {
  const first = checks[0]!.script
  const key = `${STARTUP_CHECK_KEY}${first.accountId}/${first.namespaceId}/batch-${first.name}`
  const codes = await Promise.all(checks.map((c) => workerCode(env, ctx, c.script, key, {}, c.code)))
  const base = codes[0]!
  const modules: typeof base.modules = {}
  // The once-evaluated shims and their configs at the root, from the first candidate.
  for (const name of ONCE) modules[`${OWN}${name}`] = base.modules[`${OWN}${name}`]!
  for (const name of Object.keys(base.modules)) if (name.endsWith('-config.js')) modules[name] = base.modules[name]!
  codes.forEach((code, i) => {
    for (const [name, module] of Object.entries(code.modules)) {
      if (name.startsWith(OWN) && ONCE.includes(name.slice(OWN.length))) continue
      const shim = name.startsWith(OWN) && typeof module === 'object' && 'js' in module && typeof module.js === 'string'
      modules[folder(i) + name] = shim ? { js: toRootShims(module.js as string) } : module
    }
    // The shared console tags what a candidate's top level prints with that candidate's name.
    modules[`${OWN}startup-batch-before-${i}.js`] = {
      js: `import { config } from "./console-config.js"\nimport { config as own } from "../${folder(i)}${OWN}console-config.js"\nObject.assign(config, own)\n`,
    }
    modules[`${OWN}startup-batch-after-${i}.js`] = { js: `import { record } from "./startup-batch-scope.js"\nrecord(${i})\n` }
  })
  modules[SCOPE] = { js: SCOPE_SOURCE }
  modules[REPORT] = { js: batchReport(checks.map((c) => c.script.mainModule)) }
  const batch = { ...base, modules, mainModule: REPORT, tails: [] }
  countStartupCheck()
  const id = markStart(env, key)
  try {
    // load(), not get(): the isolate is dropped with the stub instead of staying in the loader.
    const res = await env.LOADER.load(batch).getEntrypoint().fetch('http://startup-check.invalid/')
    const { exports, changedBy } = (await res.json()) as { exports: StartupCheckResult[]; changedBy: number }
    return exports.map((result, i) => (i <= changedBy ? result : null))
  } catch {
    // A candidate threw (or the batch broke a limit): each runs alone, for its own verdict.
    return checks.map(() => null)
  } finally {
    markEnd(env, id)
  }
}

/** A candidate's own shims import the shared ones from the root (`c<i>/__workerhive/x.js` → `__workerhive/x.js`). */
function toRootShims(source: string): string {
  let out = source
  for (const name of ONCE) out = out.replaceAll(JSON.stringify(`./${name}`), JSON.stringify(`../../${OWN}${name}`))
  return out
}

/** Built-ins whose prototypes polyfills patch most; a change to one counts as a change of scope. */
const WATCHED_PROTOTYPES = ['Object', 'Function', 'Array', 'String', 'Number', 'Promise', 'Map', 'Set', 'Date', 'RegExp', 'Error', 'Request', 'Response', 'Headers', 'URL']

/**
 * Records the global scope after each candidate (own properties of globalThis, console and the
 * watched prototypes, by identity): `changedBy` is the first candidate that changed it, whose followers ran in a scope a
 * check of their own would not have given them.
 */
const SCOPE_SOURCE = `const targets = [["", globalThis], ["console", console]]
for (const name of ${JSON.stringify(WATCHED_PROTOTYPES)}) {
  if (typeof globalThis[name] === "function") targets.push([name, globalThis[name].prototype])
}
function scope() {
  const seen = new Map()
  for (const [label, target] of targets) {
    for (const key of Reflect.ownKeys(target)) {
      const d = Object.getOwnPropertyDescriptor(target, key)
      seen.set(label === "" ? key : label + "." + String(key), d && ("value" in d ? d.value : d.get))
    }
  }
  return seen
}
let last = scope()
export let changedBy = Infinity
export function record(i) {
  const now = scope()
  // Object.is: NaN is a global too.
  const changed = now.size !== last.size || [...now].some(([k, v]) => !last.has(k) || !Object.is(last.get(k), v))
  if (changedBy === Infinity && changed) changedBy = i
  last = now
}
`

function batchReport(mainModules: string[]): string {
  const lines = ONCE.map((name) => `import "./${name}"`)
  lines.push(`import * as scope from "./startup-batch-scope.js"`, `import * as workers from "cloudflare:workers"`)
  mainModules.forEach((main, i) => {
    lines.push(`import "./startup-batch-before-${i}.js"`)
    lines.push(`import "../${folder(i)}${OWN}main.js"`)
    lines.push(`import * as app${i} from ${JSON.stringify(`../${folder(i)}${main}`)}`)
    lines.push(`import "./startup-batch-after-${i}.js"`)
  })
  const apps = mainModules.map((_, i) => `app${i}`).join(', ')
  return `${lines.join('\n')}
${EXPORT_SHAPES}
export default {
  fetch() {
    const exports = [${apps}].map((app) => ({ ok: true, exports: shapes(app) }))
    return new Response(JSON.stringify({ exports, changedBy: scope.changedBy === Infinity ? exports.length : scope.changedBy }))
  },
}
`
}
