import { ACME_CHALLENGE_PATH, CUSTOM_HOSTNAME_CHALLENGE_PATH, type EdgeCustomHostname, type RoutingTable } from '../../shared/protocol.js'
import { normaliseHostname, parseRoutePattern, RouteTable, type RouteEntry } from '../../shared/route-patterns.js'

export interface EdgeTarget {
  accountId: string
  script: string
  /** Reached through `<script>.<subdomain>.<edge domain>` (honours the script's workers.dev switch). */
  viaDefaultHostname: boolean
  /** A custom hostname's `custom_metadata`, for `request.cf.hostMetadata`. */
  hostMetadata?: Record<string, unknown>
}

interface Compiled {
  table: RoutingTable
  routes: RouteTable<{ accountId: string; script: string | null }>
  customHostnames: Map<string, EdgeCustomHostname>
  workerDomains: Map<string, { accountId: string; script: string }>
  alwaysHttps: Set<string>
}

let compiled: Compiled | undefined

/** Parses the table's patterns once per table, not once per request. */
function compile(table: RoutingTable): Compiled {
  if (compiled?.table === table) return compiled
  const owner = new Map(table.zones.map((z) => [z.name.toLowerCase(), z.accountId]))
  const entries: Array<RouteEntry<{ accountId: string; script: string | null }>> = []
  for (const r of table.routes) {
    const parsed = parseRoutePattern(r.pattern)
    const accountId = owner.get(r.zone.toLowerCase())
    if (parsed.ok && accountId) entries.push({ zone: r.zone, pattern: parsed.pattern, value: { accountId, script: r.script } })
  }
  const customHostnames = new Map(table.customHostnames.map((h) => [h.hostname, h]))
  const workerDomains = new Map(table.workerDomains.map((d) => [d.hostname, d]))
  const alwaysHttps = new Set(table.alwaysHttpsZones.map((z) => z.toLowerCase()))
  compiled = { table, routes: new RouteTable(owner.keys(), entries), customHostnames, workerDomains, alwaysHttps }
  return compiled
}

/**
 * Which account-level Worker serves a request. Hostnames under the edge domain are default
 * hostnames, `<script>.<account subdomain>.<edge domain>`, and nothing else; every other hostname
 * belongs to the zone it lies in, and only that zone's routes (its account's scripts) apply, most
 * specific first, as on Cloudflare. So no account's route can capture another account's hostnames.
 */
export function resolveTarget(table: RoutingTable, url: URL, host: string): EdgeTarget | null {
  const hostname = normaliseHostname(host)
  const suffix = `.${table.edgeDomain.toLowerCase()}`
  if (hostname.endsWith(suffix)) {
    const labels = hostname.slice(0, -suffix.length).split('.')
    if (labels.length !== 2) return null
    const [script, subdomain] = labels as [string, string]
    const accountId = table.subdomains[subdomain]
    return accountId ? { accountId, script, viaDefaultHostname: true } : null
  }
  const { routes, customHostnames, workerDomains } = compile(table)
  // A Custom Domain takes its whole hostname, ahead of any route (as on Cloudflare).
  const domain = workerDomains.get(hostname)
  if (domain) return { accountId: domain.accountId, script: domain.script, viaDefaultHostname: false }
  const target = { scheme: url.protocol === 'https:' ? 'https' : 'http', hostname, pathAndQuery: url.pathname + url.search } as const
  if (routes.zoneOf(hostname) === undefined) return customHostnameTarget(routes, customHostnames.get(hostname), target)
  const hit = routes.resolve(target)
  if (!hit || hit.value.script === null) return null
  return { accountId: hit.value.accountId, script: hit.value.script, viaDefaultHostname: false }
}

/**
 * A custom hostname lies in no zone (zones win, so no custom hostname takes a zone's hostnames): it
 * is served by its SaaS zone's routes that match the customer's hostname (`*\/*`), failing that by
 * the route of its origin (custom_origin_server, else the zone's fallback origin), as on Cloudflare.
 */
function customHostnameTarget(
  routes: RouteTable<{ accountId: string; script: string | null }>,
  custom: EdgeCustomHostname | undefined,
  target: { scheme: 'http' | 'https'; hostname: string; pathAndQuery: string },
): EdgeTarget | null {
  if (!custom?.active) return null
  const hit =
    routes.resolveInZone(custom.zone, target) ??
    (custom.origin ? routes.resolveInZone(custom.zone, { ...target, hostname: custom.origin }) : undefined)
  if (!hit || hit.value.script === null) return null
  return {
    accountId: hit.value.accountId,
    script: hit.value.script,
    viaDefaultHostname: false,
    ...(custom.metadata ? { hostMetadata: custom.metadata } : {}),
  }
}

/** The token a pending custom hostname's HTTP ownership check fetches, if this request is one. */
export function customHostnameChallenge(table: RoutingTable, url: URL, host: string): string | undefined {
  if (!url.pathname.startsWith(CUSTOM_HOSTNAME_CHALLENGE_PATH)) return undefined
  const custom = compile(table).customHostnames.get(normaliseHostname(host))
  const id = url.pathname.slice(CUSTOM_HOSTNAME_CHALLENGE_PATH.length)
  return custom && custom.id === id ? custom.token : undefined
}

/** The key authorization an ACME server fetches for one of this platform's running orders, if this request is one. */
export function acmeChallenge(table: RoutingTable, url: URL): string | undefined {
  if (!url.pathname.startsWith(ACME_CHALLENGE_PATH)) return undefined
  const token = url.pathname.slice(ACME_CHALLENGE_PATH.length)
  return Object.hasOwn(table.acmeChallenges, token) ? table.acmeChallenges[token] : undefined
}

/**
 * Where a plain-HTTP request goes instead when its zone has `always_use_https` on (a custom
 * hostname follows its SaaS zone, a Custom Domain its own zone): the same URL over HTTPS, as
 * Cloudflare's 301. Undefined when it is served as it came.
 */
export function httpsRedirect(table: RoutingTable, url: URL, host: string): string | undefined {
  if (url.protocol !== 'http:' || table.httpsPort === null || table.alwaysHttpsZones.length === 0) return undefined
  const hostname = normaliseHostname(host)
  const { routes, customHostnames, alwaysHttps } = compile(table)
  const zone = routes.zoneOf(hostname) ?? customHostnames.get(hostname)?.zone
  if (zone === undefined || !alwaysHttps.has(zone.toLowerCase())) return undefined
  const port = table.httpsPort === 443 ? '' : `:${table.httpsPort}`
  return `https://${hostname}${port}${url.pathname}${url.search}`
}
