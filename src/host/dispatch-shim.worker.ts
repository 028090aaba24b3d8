// The dispatch namespace binding as customer code sees it, built in the dispatch Worker's own
// isolate (part of the bindings module, see bindings-shim.worker.ts). `get()` runs locally
// (synchronous, never throws) and its Fetcher's fetch() is ONE call into the host's
// DispatchNamespace entrypoint, with the script name and options in a header. That saves the RPC
// round trip of calling get() on the host and then fetch() on what it returned, and needs no RPC,
// so it works under every compatibility date.
import { DISPATCH_HEADER } from '../shared/protocol.js'

/** Our modules inside a customer's Worker live under this prefix, so they never collide. */
export const OWN = '__workerhive/'

/** JS source of `dispatchNamespaceOf(gateway)`: the namespace over the raw entrypoint. */
export function dispatchNamespaceSource(): string {
  return `const DISPATCH_HEADER = ${JSON.stringify(DISPATCH_HEADER)}
function dispatchFetcherFor(gateway, name, options) {
  return {
    fetch(input, init) {
      const request = new Request(input, init)
      const headers = new Headers(request.headers)
      headers.set(DISPATCH_HEADER, JSON.stringify({ name, options }))
      return gateway.fetch(new Request(request, { headers }))
    },
    connect() {
      throw new Error('connect() is not supported on a dispatch namespace Fetcher')
    },
  }
}
function dispatchNamespaceOf(gateway) {
  return {
    get(name, args, options) {
      return dispatchFetcherFor(gateway, String(name), options ?? {})
    },
  }
}
`
}

/**
 * Main module of a modules-format Worker: evaluates the caches module (and the bindings module)
 * before the customer's code and re-exports everything. With bindings to wrap, an object default
 * export's handlers get the wrapped env; entrypoint classes get it from the bindings module itself.
 * A module without a default export gets an empty handler object (workerd refuses `undefined`).
 */
export function wrappedMain(customerMain: string, wrapBindings: boolean): string {
  const main = JSON.stringify('../' + customerMain)
  // The CPU meter first: every customer module calls it (see cpu-meter.worker.ts).
  const head = `import { meteredEntry } from "./cpu-meter.js"
import "./caches.js"
${wrapBindings ? 'import { wrapEnv } from "./bindings.js"\n' : ''}import * as app from ${main}
export * from ${main}
`
  if (!wrapBindings) return `${head}export default meteredEntry(app.default, app.default) ?? {}\n`
  return `${head}const handlers = app.default
let entry = handlers ?? {}
if (handlers && typeof handlers === 'object') {
  entry = {}
  for (const [name, handler] of Object.entries(handlers)) {
    entry[name] = typeof handler === 'function' ? (event, env, ctx) => handler.call(handlers, event, wrapEnv(env), ctx) : handler
  }
}
export default meteredEntry(entry, entry)
`
}
