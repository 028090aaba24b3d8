// The internal API's wire, once: every route the host worker calls on Node's loopback API, with
// its path parameters and query names. Node registers exactly these routes (runtime/internal/
// server.ts, a test compares them) and checks queries with zod; the host builds every URL with
// `wireUrl`, so a renamed route or parameter fails to compile on both sides. A binding kind with
// a Node half declares its routes the same way in its own folder (bindings/<kind>/wire.ts).
// Compiled in both worlds: no `node:` imports, no workers-types, no zod.

export type WireMethod = 'GET' | 'PUT' | 'POST' | 'DELETE'

/** One route: method, hono-style path (`:name` segments) and the query names it reads. */
export interface WireRoute<P extends string = string, Q extends string = never> {
  readonly method: WireMethod
  readonly path: P
  /** Query parameter names (documentation and the host's typing; Node checks them with zod). */
  readonly query: readonly Q[]
}

export const defineRoute = <P extends string, Q extends string = never>(
  method: WireMethod,
  path: P,
  query: readonly Q[] = [],
): WireRoute<P, Q> => ({ method, path, query })

/** `:name` segments of a path, as an object type. */
export type PathParams<P extends string> = P extends `${string}:${infer Name}/${infer Rest}`
  ? { [K in Name | keyof PathParams<`/${Rest}`>]: string }
  : P extends `${string}:${infer Name}`
    ? { [K in Name]: string }
    : Record<never, string>

export type QueryOf<R> = R extends WireRoute<string, infer Q> ? Partial<Record<Q, string>> : never

/** The routes of the core internal API (a binding kind's own routes live in its folder). */
export const WIRE = {
  /** → ScriptLookup (protocol.ts). `namespace` is '' for account scripts. */
  script: defineRoute('GET', '/internal/script', ['account', 'namespace', 'name']),
  /** → CodeBundle. */
  code: defineRoute('GET', '/internal/code/:versionId'),
  /** → RoutingTable. */
  routes: defineRoute('GET', '/internal/routes'),
  /** → ContainmentState. */
  containment: defineRoute('GET', '/internal/containment'),
  /** body: EventBatch → 'ok'. */
  events: defineRoute('POST', '/internal/events'),
  /** The Cache API (see CACHE_HEADERS in protocol.ts); `op` is put, match or delete. */
  cacheGet: defineRoute('GET', '/internal/cache/:space/:op', ['name', 'url']),
  cachePut: defineRoute('PUT', '/internal/cache/:space/:op', ['name', 'url']),
  cacheDelete: defineRoute('DELETE', '/internal/cache/:space/:op', ['name', 'url']),
  /** Static assets (see ASSET_HEADERS in protocol.ts). */
  assets: defineRoute('GET', '/internal/assets/:account/:version', ['mode', 'url', 'method']),
} as const

/** What POST /internal/events carries: a loaded Worker's trace events. */
export interface EventBatch {
  accountId: string
  namespaceId: string
  script: string
  events: unknown[]
}

/** A path built from a route; only `wireUrl` makes one, so host code cannot hand-write a path. */
export type WirePath = string & { readonly __wirePath: unique symbol }

/** The path (and query) of one call of a route, parameters URI-encoded. */
export function wireUrl<R extends WireRoute<string, string>>(
  route: R,
  params: PathParams<R['path']>,
  query?: QueryOf<R> | URLSearchParams,
): WirePath {
  const values = params as Record<string, string>
  const path = route.path.replace(/:([A-Za-z]+)/g, (_, name: string) => encodeURIComponent(values[name] ?? ''))
  const search = query === undefined ? '' : searchOf(query).toString()
  return (search ? `${path}?${search}` : path) as WirePath
}

function searchOf(query: Partial<Record<string, string>> | URLSearchParams): URLSearchParams {
  if (query instanceof URLSearchParams) return query
  const out = new URLSearchParams()
  for (const [name, value] of Object.entries(query)) if (value !== undefined) out.set(name, value)
  return out
}
