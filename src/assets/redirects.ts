import { compilePattern, matchPattern, patternProblem, substitute, type CompiledPattern } from './rules.js'

export interface RedirectRule {
  from: string
  to: string
  status: number
}

const STATUSES = new Set([200, 301, 302, 303, 307, 308])
/** Cloudflare's limits: rules without placeholders or splats, and the others. */
export const MAX_STATIC_REDIRECTS = 2000
export const MAX_DYNAMIC_REDIRECTS = 100

const ABSOLUTE = /^[a-z][a-z0-9+.-]*:\/\//i

/**
 * Parses a `_redirects` file: `FROM TO [STATUS]` per line, `#` comments, status 302 by default.
 * Lines that do not make a valid rule are skipped, as Cloudflare skips them (with a warning at
 * deploy), and so are rules that would loop with the html handling: `/* /index.html`, and
 * `/x/ /x/index.html` unless the html handling is off.
 */
export function parseRedirects(text: string, htmlHandlingOff = false): RedirectRule[] {
  const rules: RedirectRule[] = []
  const seen = new Set<string>()
  let statics = 0
  let dynamics = 0
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/\s+#.*$/, '').trim()
    if (!line || line.startsWith('#')) continue
    const tokens = line.split(/\s+/)
    if (tokens.length < 2 || tokens.length > 3) continue
    const [fromToken = '', to = '', statusText] = tokens
    const status = statusText === undefined ? 302 : Number(statusText)
    if (!STATUSES.has(status)) continue
    const from = fromToken.startsWith('/') || ABSOLUTE.test(fromToken) ? fromToken : `/${fromToken}`
    if (patternProblem(from) !== undefined || seen.has(from)) continue
    // A rewrite must stay on this site; a target must make a URL whatever the placeholders hold.
    if (status === 200 && ABSOLUTE.test(to)) continue
    if (!URL.canParse(to.replace(/:([A-Za-z]\w*)/g, 'x'), 'https://site.invalid/')) continue
    // Would loop: the html handling redirects `/index(.html)` back to the path the rule matched.
    const toIndex = !ABSOLUTE.test(to) && /\/index(\.html)?$/.test(to)
    if (toIndex && (from.endsWith('/*') || (from.endsWith('/') && !htmlHandlingOff))) continue
    const dynamic = /[*:]/.test(from.replace(/^https?:\/\//i, ''))
    if (dynamic ? dynamics === MAX_DYNAMIC_REDIRECTS : statics === MAX_STATIC_REDIRECTS) continue
    if (dynamic) dynamics++
    else statics++
    seen.add(from)
    rules.push({ from, to, status })
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
    // Whether the target leaves the site is the rule's decision, never the request's: a relative
    // target stays a path on this site whatever a splat holds (`//evil.example`, `https://…`).
    const absolute = ABSOLUTE.test(rule.to)
    let to = substitute(rule.to, captured)
    if (!absolute) to = `/${to}`.replace(/\/{2,}/g, '/')
    let target: URL
    try {
      target = new URL(to, absolute ? undefined : url.origin)
    } catch {
      continue
    }
    if (!absolute && target.origin !== url.origin) continue
    if (!target.search) target.search = url.search
    if (rule.status === 200) return { kind: 'rewrite', pathname: target.pathname }
    const location = absolute ? target.href : `${target.pathname}${target.search}${target.hash}`
    return { kind: 'redirect', status: rule.status, location }
  }
  return undefined
}
