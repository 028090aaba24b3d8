import type { RoutingTable } from './shared/protocol.js'
import { matchRoute } from './shared/route-match.js'

export interface EdgeTarget {
  accountId: string
  script: string
}

/**
 * Which account-level Worker serves `host` + `path`: a route pattern (most specific wins), else the
 * default hostname `<script>.<account subdomain>.<edge domain>`.
 */
export function resolveTarget(table: RoutingTable, host: string, path: string): EdgeTarget | null {
  const hostname = host.replace(/:\d+$/, '').toLowerCase()
  const route = matchRoute(table.routes, hostname, path)
  if (route) return route.script === null ? null : { accountId: route.accountId, script: route.script }
  const suffix = `.${table.edgeDomain.toLowerCase()}`
  if (!hostname.endsWith(suffix)) return null
  const labels = hostname.slice(0, -suffix.length).split('.')
  if (labels.length !== 2) return null
  const [script, subdomain] = labels as [string, string]
  const accountId = table.subdomains[subdomain]
  return accountId ? { accountId, script } : null
}
