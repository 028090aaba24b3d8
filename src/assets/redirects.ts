import { compilePattern, matchPattern, substitute, type CompiledPattern } from './rules.js'

export interface RedirectRule {
  from: string
  to: string
  status: number
}

const STATUSES = new Set([200, 301, 302, 303, 307, 308])
export const MAX_REDIRECT_RULES = 2100

/**
 * Parses a `_redirects` file: `FROM TO [STATUS]` per line, `#` comments, status 302 by default.
 * Lines that do not make a rule are skipped, as Cloudflare skips them (with a warning at deploy).
 */
export function parseRedirects(text: string): RedirectRule[] {
  const rules: RedirectRule[] = []
  const seen = new Set<string>()
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/\s+#.*$/, '').trim()
    if (!line || line.startsWith('#')) continue
    const tokens = line.split(/\s+/)
    if (tokens.length < 2 || tokens.length > 3) continue
    const [from = '', to = '', statusText] = tokens
    const status = statusText === undefined ? 302 : Number(statusText)
    if (!STATUSES.has(status)) continue
    const path = from.startsWith('/') || /^https?:\/\//.test(from) ? from : `/${from}`
    // A rewrite (200) must stay on this site.
    if (status === 200 && /^https?:\/\//.test(to)) continue
    if (seen.has(path)) continue
    seen.add(path)
    rules.push({ from: path, to, status })
    if (rules.length === MAX_REDIRECT_RULES) break
  }
  return rules
}

export type RedirectOutcome = { kind: 'redirect'; status: number; location: string } | { kind: 'rewrite'; pathname: string }

const compiled = new WeakMap<RedirectRule, CompiledPattern>()

/** The first rule matching the request, applied: a redirect to send, or a path to serve instead. */
export function applyRedirects(rules: RedirectRule[], url: URL): RedirectOutcome | undefined {
  for (const rule of rules) {
    let pattern = compiled.get(rule)
    if (!pattern) compiled.set(rule, (pattern = compilePattern(rule.from)))
    const captured = matchPattern(pattern, url)
    if (!captured) continue
    const target = new URL(substitute(rule.to, captured), url)
    const sameOrigin = target.origin === url.origin && !/^https?:\/\//.test(rule.to)
    if (!target.search) target.search = url.search
    if (rule.status === 200) return { kind: 'rewrite', pathname: target.pathname.replace(/\/{2,}/g, '/') }
    const location = sameOrigin ? `${target.pathname.replace(/\/{2,}/g, '/')}${target.search}${target.hash}` : target.href
    return { kind: 'redirect', status: rule.status, location }
  }
  return undefined
}
