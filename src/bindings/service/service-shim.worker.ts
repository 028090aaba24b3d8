// A service binding as customer code sees it, built in the caller's own isolate by the bindings
// module: the raw Fetcher, plus RPC methods (through the host entrypoint's rpc()) when allowed.

/** JS source of `serviceOf(raw)`. */
export function serviceSource(): string {
  return `const RPC_PROBE = "__workerhiveRpcProbe"

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
`
}
