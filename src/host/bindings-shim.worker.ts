// The bindings module: evaluated in a loaded Worker's own isolate before the customer's code, it
// turns the raw bindings the host put into env into the objects Cloudflare gives, under every
// compatibility date and flag: KV namespaces, dispatch namespaces, service bindings with RPC, and
// secret keys as CryptoKeys. Modules Workers get the wrapped env in their handlers and entrypoint
// classes; service-worker scripts get the wrapped values as globals (see loader.worker.ts).
import type { HostBinding } from '../shared/protocol.js'
import { dispatchNamespaceSource } from './dispatch-shim.worker.js'
import { kvNamespaceSource } from './kv-shim.worker.js'

type CryptoKeyBinding = Extract<HostBinding, { type: 'cryptoKey' }>

/** Whether a Worker with these bindings needs the bindings module (most small Workers do not). */
export const needsBindingsModule = (bindings: readonly HostBinding[]): boolean =>
  bindings.some((b) => b.type === 'kv' || b.type === 'dispatch' || b.type === 'service' || b.type === 'cryptoKey')

/** JS source of the bindings module of one script. */
export function bindingsModule(bindings: readonly HostBinding[]): string {
  const wrapped = bindings.flatMap((b) => (b.type === 'kv' || b.type === 'dispatch' || b.type === 'service' ? [{ name: b.name, kind: b.type }] : []))
  const keys = bindings.filter((b): b is CryptoKeyBinding => b.type === 'cryptoKey').map(keySpec)
  return `import { WorkerEntrypoint, env as importedEnv } from "cloudflare:workers"
${dispatchNamespaceSource()}
${kvNamespaceSource()}
const RPC_PROBE = "__workerhiveRpcProbe"

// A service binding offers RPC when the caller may use it, as on Cloudflare: compatibility date
// 2024-04-03 or the "rpc" flag. workerd decides the same for the raw stub (with RPC, any property
// of a stub is a method), so the first use asks it; not at wrapping time, since service-worker
// globals are wrapped at global scope, where touching a stub is not allowed. Without RPC every
// property is the raw Fetcher's (fetch, connect, and the HTTP helpers of old dates). With RPC,
// names other than fetch and connect are methods of the target Worker's entrypoint, called through
// the binding's rpc() (one call, as a direct RPC call would be).
function serviceOf(raw) {
  let rpc
  const own = {
    fetch: (input, init) => raw.fetch(input, init),
    connect: (address, options) => raw.connect(address, options),
  }
  return new Proxy(own, {
    get(target, name) {
      if (Object.hasOwn(target, name)) return target[name]
      if (typeof name !== "string" || name === "then") return undefined
      rpc ??= typeof raw[RPC_PROBE] === "function"
      if (rpc) return (...args) => raw.rpc(name, args)
      const value = raw[name]
      return typeof value === "function" ? value.bind(raw) : value
    },
  })
}

const WRAP = { kv: kvNamespaceOf, dispatch: dispatchNamespaceOf, service: serviceOf }
const BINDINGS = ${JSON.stringify(wrapped)}
const KEY_SPECS = ${JSON.stringify(keys)}

function base64Bytes(b64) {
  const bin = atob(b64)
  const out = new Uint8Array(bin.length)
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i)
  return out
}

// Secret keys are non-extractable CryptoKeys, as on Cloudflare: the Worker can use them, never read them.
const KEYS = {}
for (const k of KEY_SPECS) {
  KEYS[k.name] = await crypto.subtle.importKey(k.format, k.format === "jwk" ? k.jwk : base64Bytes(k.base64), k.algorithm, false, k.usages)
}

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
  for (const { name, kind } of BINDINGS) {
    if (!env[name] || ours.has(env[name])) continue
    out[name] = WRAP[kind](env[name])
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

// Entrypoint classes, the default export's and named ones alike: WorkerEntrypoint's constructor
// assigns this.env, and this setter stores the wrapped env on the instance instead.
Object.defineProperty(WorkerEntrypoint.prototype, "env", {
  configurable: true,
  get() {
    return undefined
  },
  set(value) {
    Object.defineProperty(this, "env", { value: wrapEnv(value), writable: true, configurable: true, enumerable: true })
  },
})
`
}

function keySpec(b: CryptoKeyBinding): { name: string; format: string; algorithm: unknown; usages: string[]; base64?: string; jwk?: unknown } {
  return {
    name: b.name,
    format: b.format,
    algorithm: b.algorithm,
    usages: b.usages,
    ...(b.format === 'jwk' ? { jwk: b.keyJwk } : { base64: b.keyBase64 ?? '' }),
  }
}
