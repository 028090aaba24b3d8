import type { RoutingTable } from '../../shared/protocol.js'
import { normaliseHostname, parseRoutePattern, RouteTable, type RouteEntry } from '../../shared/route-patterns.js'

export interface EdgeTarget {
  accountId: string
  script: string
  /** Reached through `<script>.<subdomain>.<edge domain>` (honours the script's workers.dev switch). */
  viaDefaultHostname: boolean
}

interface Compiled {
  table: RoutingTable
  routes: RouteTable<{ accountId: string; script: string | null }>
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
  compiled = { table, routes: new RouteTable(owner.keys(), entries) }
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
  const hit = compile(table).routes.resolve({
    scheme: url.protocol === 'https:' ? 'https' : 'http',
    hostname,
    pathAndQuery: url.pathname + url.search,
  })
  if (!hit || hit.value.script === null) return null
  return { accountId: hit.value.accountId, script: hit.value.script, viaDefaultHostname: false }
}
