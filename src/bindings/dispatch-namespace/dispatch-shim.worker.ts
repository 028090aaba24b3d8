// The dispatch namespace binding as customer code sees it, built in the dispatch Worker's own
// isolate (part of the bindings module, see host/shims/bindings-shim.worker.ts). `get()` runs locally
// (synchronous, never throws) and its Fetcher's fetch() is ONE call into the host's
// DispatchNamespace entrypoint, with the script name and options in a header. That saves the RPC
// round trip of calling get() on the host and then fetch() on what it returned, and needs no RPC,
// so it works under every compatibility date.
import { DISPATCH_HEADER } from './wire.js'

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
