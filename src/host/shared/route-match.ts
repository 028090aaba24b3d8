// Cloudflare route matching, shared by the API (validation, conflicts) and the host worker (the
// request path), so both agree. No `node:` imports here.

export interface RoutePatternLike {
  pattern: string
}

interface Parsed {
  /** Host wildcard `*.example.com` or `*example.com`: matches by suffix. */
  hostSuffix: string | null
  host: string
  /** Path with a trailing `*`: matches by prefix. */
  pathPrefix: string | null
  path: string
}

function parse(pattern: string): Parsed {
  const withoutScheme = pattern.replace(/^https?:\/\//, '')
  const slash = withoutScheme.indexOf('/')
  const hostPart = (slash === -1 ? withoutScheme : withoutScheme.slice(0, slash)).toLowerCase()
  const pathPart = slash === -1 ? '/' : withoutScheme.slice(slash)
  return {
    hostSuffix: hostPart.startsWith('*') ? hostPart.slice(1) : null,
    host: hostPart,
    pathPrefix: pathPart.endsWith('*') ? pathPart.slice(0, -1) : null,
    path: pathPart,
  }
}

function matches(p: Parsed, hostname: string, path: string): boolean {
  const hostOk = p.hostSuffix !== null ? hostname.endsWith(p.hostSuffix) : hostname === p.host
  if (!hostOk) return false
  return p.pathPrefix !== null ? path.startsWith(p.pathPrefix) : path === p.path
}

/**
 * The most specific matching route: an exact host beats a wildcard host, then the longer host,
 * then an exact path beats a wildcard path, then the longer path.
 */
export function matchRoute<T extends RoutePatternLike>(routes: readonly T[], hostname: string, path: string): T | undefined {
  let best: { route: T; score: number[] } | undefined
  for (const route of routes) {
    const p = parse(route.pattern)
    if (!matches(p, hostname, path)) continue
    const score = [p.hostSuffix === null ? 1 : 0, p.host.length, p.pathPrefix === null ? 1 : 0, p.path.length]
    if (!best || compare(score, best.score) > 0) best = { route, score }
  }
  return best?.route
}

const compare = (a: number[], b: number[]): number => {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!
  return 0
}
