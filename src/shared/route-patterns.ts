/**
 * Cloudflare route patterns (`*.shop.example.com/api/*`): parsing, matching and precedence.
 *
 * The rules follow Cloudflare's "Routes" documentation (workers/configuration/routing/routes):
 * - an optional `http://` or `https://` scheme restricts the pattern to that scheme;
 * - the host may start with `*` (the host and anything ending in the rest, e.g. `*example.com`) or
 *   `*.` (subdomains only); `*` alone matches every host of the zone; no other wildcard in the host;
 * - the path may end with `*` (any suffix, query string included); no other wildcard; without a
 *   path the pattern means `/`; no query string and no fragment;
 * - the host is case-insensitive (routes created since 2023-10-15), the path case-sensitive;
 * - matching considers path and query string, so `example.com/a` does not match `/a?x=1`;
 * - requests are first sent to the zone that owns their hostname, and only that zone's routes apply;
 * - the most specific pattern wins: an exact host beats a wildcard host whatever the paths (the
 *   documented `a.example.com/*` over `*.example.com/a`), then the longer host, then the longer path
 *   literal, then an exact path over a wildcard one, then a pattern with a scheme over one without.
 *
 * Cloudflare documents a known bug where `example.com/images*` beats `example.com/images/*` for
 * `/images/hello` (workers/platform/known-issues). We follow the documented intent instead: the
 * longer literal wins.
 *
 * Pure code without Node imports, so the edge can use it wherever it resolves hostnames.
 */
export interface RoutePattern {
  /** The pattern as stored: scheme and host lowercased, the path as given. */
  readonly source: string
  readonly scheme: 'http' | 'https' | undefined
  /** The host, or with a leading wildcard what follows the `*` (`.example.com`, `example.com`, ``). */
  readonly host: string
  readonly hostWildcard: boolean
  /** The path without its trailing `*`; `/` when the pattern has no path. */
  readonly path: string
  readonly pathWildcard: boolean
}

export type ParsedRoutePattern = { ok: true; pattern: RoutePattern } | { ok: false; problem: string }

/** What a request offers to the matcher. `pathAndQuery` is the path followed by `?query`, if any. */
export interface RequestTarget {
  scheme: 'http' | 'https'
  hostname: string
  pathAndQuery: string
}

const SCHEME = /^(https?):\/\//i
// Whitespace and control characters never belong in a pattern (C0, space, DEL, C1).
// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[\u0000-\u0020\u007f-\u009f]/
const LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/
const MAX_HOST_LENGTH = 253

export function parseRoutePattern(input: string): ParsedRoutePattern {
  const problem = (why: string): ParsedRoutePattern => ({ ok: false, problem: why })
  if (input.length === 0) return problem('the pattern is empty')
  if (FORBIDDEN.test(input)) return problem('route patterns may not contain whitespace or control characters')
  if (input.includes('?') || input.includes('#')) return problem('route patterns may not contain query parameters')

  const scheme = SCHEME.exec(input)
  const rest = scheme ? input.slice(scheme[0].length) : input
  if (rest.includes('://')) return problem('route patterns may only start with http:// or https://')

  const slash = rest.indexOf('/')
  const rawHost = (slash === -1 ? rest : rest.slice(0, slash)).toLowerCase()
  const rawPath = slash === -1 ? undefined : rest.slice(slash)

  if (rawHost.length === 0) return problem('the pattern has no hostname')
  if (rawHost.includes(':')) return problem('route patterns may not contain a port')
  const hostWildcard = rawHost.startsWith('*')
  const host = hostWildcard ? rawHost.slice(1) : rawHost
  if (host.includes('*'))
    return problem('a wildcard is only allowed at the start of the hostname and at the end of the path')
  const hostProblem = hostWildcard ? wildcardHostProblem(host) : hostnameProblem(host)
  if (hostProblem) return problem(hostProblem)

  const path = rawPath ?? '/'
  const pathWildcard = path.endsWith('*')
  const pathLiteral = pathWildcard ? path.slice(0, -1) : path
  if (pathLiteral.includes('*'))
    return problem('a wildcard is only allowed at the start of the hostname and at the end of the path')

  const schemeName = scheme ? (scheme[1]!.toLowerCase() as 'http' | 'https') : undefined
  const source = `${schemeName ? `${schemeName}://` : ''}${rawHost}${rawPath ?? ''}`
  return { ok: true, pattern: { source, scheme: schemeName, host, hostWildcard, path: pathLiteral, pathWildcard } }
}

/** Why `name` is not a usable hostname (also the rule for zone names), or undefined. */
export function hostnameProblem(name: string): string | undefined {
  if (name.length === 0) return 'the hostname is empty'
  if (name.length > MAX_HOST_LENGTH) return `the hostname is longer than ${MAX_HOST_LENGTH} characters`
  const labels = name.split('.')
  if (labels.some((l) => !LABEL.test(l)))
    return (
      `'${name}' is not a valid hostname: labels are 1 to 63 letters, digits, '-' or '_', ` +
      "not starting or ending with '-'"
    )
  return undefined
}

/** After a leading `*` the first label may be partial (`*-shop.example.com`), the rest must be whole. */
function wildcardHostProblem(literal: string): string | undefined {
  if (literal === '') return undefined
  const rest = literal.startsWith('.') ? literal.slice(1) : literal
  const firstDot = rest.indexOf('.')
  const partial = firstDot === -1 ? rest : rest.slice(0, firstDot)
  if (!/^[a-z0-9_-]+$/.test(partial)) return `'*${literal}' is not a valid wildcard hostname`
  return firstDot === -1 ? undefined : hostnameProblem(rest.slice(firstDot + 1))
}

/** True when `hostname` is the zone's apex or one of its subdomains. */
export const hostnameInZone = (hostname: string, zone: string): boolean =>
  hostname === zone || hostname.endsWith(`.${zone}`)

/**
 * Cloudflare's "route pattern must include your zone": every host the pattern can match lies in the
 * zone. `*` alone stands for every host the zone serves.
 */
export function patternInZone(p: RoutePattern, zone: string): boolean {
  if (!p.hostWildcard) return hostnameInZone(p.host, zone)
  if (p.host === '') return true
  return hostnameInZone(p.host.startsWith('.') ? p.host.slice(1) : p.host, zone)
}

/** The hostname of a pattern with its wildcard removed: what a zone lookup should start from. */
export const patternHostLiteral = (p: RoutePattern): string => (p.host.startsWith('.') ? p.host.slice(1) : p.host)

export function matchesPattern(p: RoutePattern, target: RequestTarget): boolean {
  if (p.scheme !== undefined && p.scheme !== target.scheme) return false
  const hostOk = p.hostWildcard ? target.hostname.endsWith(p.host) : target.hostname === p.host
  if (!hostOk) return false
  return p.pathWildcard ? target.pathAndQuery.startsWith(p.path) : target.pathAndQuery === p.path
}

/** Negative when `a` is more specific than `b` (sorts the most specific first). */
export function compareSpecificity(a: RoutePattern, b: RoutePattern): number {
  if (a.hostWildcard !== b.hostWildcard) return a.hostWildcard ? 1 : -1
  if (a.host.length !== b.host.length) return b.host.length - a.host.length
  if (a.path.length !== b.path.length) return b.path.length - a.path.length
  if (a.pathWildcard !== b.pathWildcard) return a.pathWildcard ? 1 : -1
  if ((a.scheme === undefined) !== (b.scheme === undefined)) return a.scheme === undefined ? 1 : -1
  return a.source < b.source ? -1 : a.source > b.source ? 1 : 0
}

/** The most specific of `candidates` that matches `target`, if any. */
export function mostSpecificMatch<T extends { pattern: RoutePattern }>(
  candidates: readonly T[],
  target: RequestTarget,
): T | undefined {
  let best: T | undefined
  for (const c of candidates) {
    if (!matchesPattern(c.pattern, target)) continue
    if (!best || compareSpecificity(c.pattern, best.pattern) < 0) best = c
  }
  return best
}

/** Lowercases a Host header value and drops its port and trailing dot. */
export function normaliseHostname(host: string): string {
  let h = host.trim().toLowerCase()
  // An IPv6 literal never belongs to a zone; only its port is dropped.
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1) || h
  const colon = h.lastIndexOf(':')
  if (colon !== -1) h = h.slice(0, colon)
  return h.endsWith('.') ? h.slice(0, -1) : h
}

export const requestTarget = (url: URL): RequestTarget => ({
  scheme: url.protocol === 'https:' ? 'https' : 'http',
  hostname: normaliseHostname(url.hostname),
  pathAndQuery: url.pathname + url.search,
})

export interface RouteEntry<T> {
  zone: string
  pattern: RoutePattern
  value: T
}

/**
 * Every route of every zone, ready for lookups: the hostname picks its zone (the longest zone name
 * it lies in), then the zone's routes, sorted most specific first, are tried in order.
 */
export class RouteTable<T> {
  readonly #byZone = new Map<string, Array<RouteEntry<T>>>()

  constructor(zones: Iterable<string>, entries: Iterable<RouteEntry<T>>) {
    for (const zone of zones) this.#byZone.set(zone.toLowerCase(), [])
    for (const e of entries) {
      const list = this.#byZone.get(e.zone.toLowerCase())
      if (list) list.push(e)
      else this.#byZone.set(e.zone.toLowerCase(), [e])
    }
    for (const list of this.#byZone.values()) list.sort((a, b) => compareSpecificity(a.pattern, b.pattern))
  }

  /** The zone serving `hostname`: the longest zone name it equals or ends with at a label boundary. */
  zoneOf(hostname: string): string | undefined {
    let h = normaliseHostname(hostname)
    for (;;) {
      if (this.#byZone.has(h)) return h
      const dot = h.indexOf('.')
      if (dot === -1) return undefined
      h = h.slice(dot + 1)
    }
  }

  /** The route of this zone that handles the request (a custom hostname's zone is not its suffix). */
  resolveInZone(zone: string, target: RequestTarget): RouteEntry<T> | undefined {
    const t = { ...target, hostname: normaliseHostname(target.hostname) }
    return this.#byZone.get(zone.toLowerCase())?.find((e) => matchesPattern(e.pattern, t))
  }

  /** The route that handles the request, or undefined when its zone has none (or no zone serves it). */
  resolve(target: RequestTarget | URL): RouteEntry<T> | undefined {
    const t =
      target instanceof URL ? requestTarget(target) : { ...target, hostname: normaliseHostname(target.hostname) }
    const zone = this.zoneOf(t.hostname)
    if (zone === undefined) return undefined
    return this.#byZone.get(zone)!.find((e) => matchesPattern(e.pattern, t))
  }
}
