// The dispatch namespace binding as customer code sees it, generated into the dispatch Worker's
// own isolate. `get()` runs locally (synchronous, never throws) and its Fetcher's fetch() is ONE
// call into the host's DispatchNamespace entrypoint, with the script name and options in a header.
// That saves the RPC round trip of calling get() on the host and then fetch() on what it returned.
import { DISPATCH_HEADER } from './shared/protocol.js'

/** Our modules inside a customer's Worker live under this prefix, so they never collide. */
export const OWN = '__workerhive/'

/** JS source of the shim module: wraps the named bindings of an env. */
export function shimModule(dispatchNames: string[]): string {
  return `const NAMES = ${JSON.stringify(dispatchNames)}
const HEADER = ${JSON.stringify(DISPATCH_HEADER)}
const wrapped = new WeakMap()
function fetcherFor(gateway, name, options) {
  return {
    fetch(input, init) {
      const request = new Request(input, init)
      const headers = new Headers(request.headers)
      headers.set(HEADER, JSON.stringify({ name, options }))
      return gateway.fetch(new Request(request, { headers }))
    },
    connect() {
      throw new Error('connect() is not supported on a dispatch namespace Fetcher')
    },
  }
}
function namespaceOf(gateway) {
  return {
    get(name, args, options) {
      return fetcherFor(gateway, String(name), options ?? {})
    },
  }
}
export function wrapEnv(env) {
  if (env === null || typeof env !== 'object') return env
  let out = wrapped.get(env)
  if (out) return out
  out = { ...env }
  for (const name of NAMES) if (env[name]) out[name] = namespaceOf(env[name])
  wrapped.set(env, out)
  return out
}
`
}

/**
 * Main module of a modules-format Worker: evaluates the caches module before the customer's code,
 * re-exports everything, and for a dispatch Worker feeds its default export a wrapped env. A module
 * without a default export gets an empty handler object (workerd refuses `undefined`).
 */
export function wrappedMain(customerMain: string, wrapDispatch: boolean): string {
  const main = JSON.stringify('../' + customerMain)
  const head = `import "./caches.js"
import * as app from ${main}
export * from ${main}
`
  if (!wrapDispatch) return `${head}export default app.default ?? {}\n`
  return `${head}import { wrapEnv } from "./dispatch-shim.js"
const handlers = app.default
let entry
if (typeof handlers === 'function') {
  entry = class extends handlers {
    constructor(ctx, env) {
      super(ctx, wrapEnv(env))
    }
  }
} else if (handlers && typeof handlers === 'object') {
  entry = {}
  for (const [name, handler] of Object.entries(handlers)) {
    entry[name] = typeof handler === 'function' ? (event, env, ctx) => handler.call(handlers, event, wrapEnv(env), ctx) : handler
  }
} else {
  entry = {}
}
export default entry
`
}
