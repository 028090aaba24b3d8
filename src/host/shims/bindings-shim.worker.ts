// The bindings module: evaluated in a loaded Worker's own isolate before the customer's code, it
// turns the raw bindings the host put into env into the objects Cloudflare gives, under every
// compatibility date and flag: KV namespaces, dispatch namespaces, service bindings with RPC, and
// secret keys as CryptoKeys. Modules Workers get the wrapped env in their handlers and entrypoint
// classes; service-worker scripts get the wrapped values as globals (see pipeline/loader.worker.ts).
import type { HostBinding } from '../../shared/protocol.js'
import { workerKindOf } from '../../bindings/registry.worker.js'
import type { IsolateCode } from '../../bindings/worker-kind.worker.js'

/** Whether a Worker with these bindings needs the bindings module (most small Workers do not). */
export const needsBindingsModule = (bindings: readonly HostBinding[]): boolean =>
  bindings.some((b) => {
    const kind = workerKindOf(b)
    return kind?.wrapper !== undefined || kind?.builder !== undefined
  })

/**
 * The bindings module of one script (JS source), and the kinds' isolate modules it imports: which
 * bindings each kind's function wraps, and the specs of the values built in the isolate.
 */
export function bindingsModule(bindings: readonly HostBinding[]): { source: string; modules: string[] } {
  const code = new Map<string, IsolateCode>()
  const wrapped: Array<{ name: string; wrap: string; spec?: unknown }> = []
  const built: Array<{ name: string; build: string; spec: unknown }> = []
  for (const b of bindings) {
    const kind = workerKindOf(b)
    if (kind?.wrapper) {
      code.set(kind.wrapper.name, kind.wrapper)
      wrapped.push({ name: b.name, wrap: kind.wrapper.name, ...(kind.wrapperSpec ? { spec: kind.wrapperSpec(b) } : {}) })
    }
    if (kind?.builder) {
      code.set(kind.builder.name, kind.builder)
      built.push({ name: b.name, build: kind.builder.name, spec: kind.builder.spec(b) })
    }
  }
  const imports = [...code.values()].map((c) => `import { ${c.name} } from ${JSON.stringify('./' + c.module)}`)
  const modules = [...new Set([...code.values()].map((c) => c.module))]
  const source = `import { DurableObject, WorkerEntrypoint, env as importedEnv } from "cloudflare:workers"
${imports.join('\n')}
const ISOLATE_CODE = { ${[...code.keys()].join(', ')} }
const BINDINGS = ${JSON.stringify(wrapped)}
const BUILT_SPECS = ${JSON.stringify(built)}

// Values that cannot travel in the loader's env (secret keys) are built here, before customer code.
const KEYS = {}
for (const k of BUILT_SPECS) KEYS[k.name] = await ISOLATE_CODE[k.build](k.spec)

// Our objects, so an env is wrapped once however many ways it arrives (the imported env and the
// handlers' env share their values).
const ours = new WeakSet()
const wrappedEnvs = new WeakMap()

function isWrapped(env) {
  for (const { name } of BINDINGS) if (env[name] && !ours.has(env[name])) return false
  for (const name of Object.keys(KEYS)) if (env[name] !== KEYS[name]) return false
  return true
}

export function wrapEnv(env) {
  if (env === null || typeof env !== "object" || isWrapped(env)) return env
  let out = wrappedEnvs.get(env)
  if (out) return out
  out = { ...env }
  for (const { name, wrap, spec } of BINDINGS) {
    if (!env[name] || ours.has(env[name])) continue
    out[name] = ISOLATE_CODE[wrap](env[name], spec)
    ours.add(out[name])
  }
  Object.assign(out, KEYS)
  wrappedEnvs.set(env, out)
  return out
}

// Code that imports env from "cloudflare:workers" sees the same objects; in workerd the handlers'
// env shares these values, so they usually arrive wrapped already.
if (importedEnv && typeof importedEnv === "object") {
  const out = wrapEnv(importedEnv)
  for (const name of Object.keys(out)) if (out[name] !== importedEnv[name]) importedEnv[name] = out[name]
}

// Entrypoint and Durable Object classes, the default export's and named ones alike: their base
// constructor assigns this.env, and this setter stores the wrapped env on the instance instead.
for (const base of [WorkerEntrypoint, DurableObject]) {
  Object.defineProperty(base.prototype, "env", {
    configurable: true,
    get() {
      return undefined
    },
    set(value) {
      Object.defineProperty(this, "env", { value: wrapEnv(value), writable: true, configurable: true, enumerable: true })
    },
  })
}
`
  return { source, modules }
}
