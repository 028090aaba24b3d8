// A service binding as customer code sees it (module `__workerhive/service.js`, imported by the
// bindings module in the caller's own isolate): the raw Fetcher, plus RPC methods when allowed.
// Runs in the customer's isolate: it imports nothing.

const RPC_PROBE = '__workerhiveRpcProbe'

type RawService = Fetcher & Record<string, unknown> & { rpc(name: string, args: unknown[]): Promise<unknown> }

// A service binding offers RPC when the caller may use it, as on Cloudflare: compatibility date
// 2024-04-03 or the "rpc" flag. workerd decides the same for the raw stub (with RPC, any property
// of a stub is a method), so the first use asks it; not at wrapping time, since service-worker
// globals are wrapped at global scope, where touching a stub is not allowed. Without RPC every
// property is the raw Fetcher's (fetch, connect, and the HTTP helpers of old dates). With RPC,
// names other than fetch and connect are methods of the target Worker's entrypoint, called through
// the binding's rpc() (one call, as a direct RPC call would be).
export function serviceOf(raw: RawService): object {
  let rpc: boolean | undefined
  const own: Record<string, unknown> = {
    fetch: (input: RequestInfo | URL, init?: RequestInit) => raw.fetch(input, init),
    connect: (address: SocketAddress | string, options?: SocketOptions) => raw.connect(address, options),
  }
  return new Proxy(own, {
    get(target, name) {
      if (Object.hasOwn(target, name)) return target[name as string]
      if (typeof name !== 'string' || name === 'then') return undefined
      rpc ??= typeof raw[RPC_PROBE] === 'function'
      if (rpc) return (...args: unknown[]) => raw.rpc(name, args)
      const value = raw[name]
      return typeof value === 'function' ? value.bind(raw) : value
    },
  })
}
