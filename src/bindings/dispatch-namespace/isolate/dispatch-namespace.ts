// The dispatch namespace binding as customer code sees it (module
// `__workerhive/dispatch-namespace.js`, imported by the bindings module in the dispatch Worker's
// own isolate). `get()` runs locally (synchronous, never throws) and its Fetcher's fetch() is ONE
// call into the host's DispatchNamespace entrypoint, with the script name and options in a header.
// That saves the RPC round trip of calling get() on the host and then fetch() on what it returned,
// and needs no RPC, so it works under every compatibility date.
// Runs in the customer's isolate: it imports nothing (a test keeps the header equal to wire.ts).

export const DISPATCH_HEADER = 'x-workerhive-dispatch'

function dispatchFetcherFor(gateway: Fetcher, name: string, options: unknown) {
  return {
    fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
      // A Request passed alone is copied once, with the header added (not first to itself).
      const request = input instanceof Request && init === undefined ? input : new Request(input, init)
      const headers = new Headers(request.headers)
      headers.set(DISPATCH_HEADER, JSON.stringify({ name, options }))
      return gateway.fetch(new Request(request, { headers }))
    },
    connect(): never {
      throw new Error('connect() is not supported on a dispatch namespace Fetcher')
    },
  }
}

export function dispatchNamespaceOf(gateway: Fetcher) {
  return {
    get(name: unknown, _args?: unknown, options?: unknown) {
      return dispatchFetcherFor(gateway, String(name), options ?? {})
    },
  }
}
