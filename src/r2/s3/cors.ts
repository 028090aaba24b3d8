import type { CorsRules } from '../rules.js'

type Rule = CorsRules['rules'][number]

const originMatches = (pattern: string, origin: string): boolean => {
  if (pattern === '*') return true
  if (!pattern.includes('*')) return pattern === origin
  const [head, tail] = pattern.split('*', 2) as [string, string]
  return origin.startsWith(head) && origin.endsWith(tail) && origin.length >= head.length + tail.length
}

/** The first rule allowing this origin, method and request headers (S3's matching order). */
export function matchCors(cors: unknown, origin: string, method: string, requestHeaders: string[]): Rule | undefined {
  const rules = (cors as CorsRules | null)?.rules ?? []
  return rules.find((r) => {
    if (!r.allowed.origins.some((o) => originMatches(o, origin))) return false
    if (!r.allowed.methods.includes(method as Rule['allowed']['methods'][number])) return false
    const allowed = (r.allowed.headers ?? []).map((h) => h.toLowerCase())
    return requestHeaders.every((h) => allowed.includes('*') || allowed.includes(h.toLowerCase()))
  })
}

/** The Access-Control headers a matched rule gives an answer (and, for a preflight, what it allows). */
export function corsHeaders(rule: Rule, origin: string, preflight?: { method: string; headers: string[] }): Record<string, string> {
  const out: Record<string, string> = {
    'access-control-allow-origin': rule.allowed.origins.includes('*') ? '*' : origin,
    vary: 'Origin',
  }
  if (rule.exposeHeaders?.length) out['access-control-expose-headers'] = rule.exposeHeaders.join(', ')
  if (preflight) {
    out['access-control-allow-methods'] = rule.allowed.methods.join(', ')
    if (preflight.headers.length) out['access-control-allow-headers'] = preflight.headers.join(', ')
    if (rule.maxAgeSeconds !== undefined) out['access-control-max-age'] = String(rule.maxAgeSeconds)
  }
  return out
}
