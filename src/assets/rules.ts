// URL patterns of `_redirects` and `_headers`: one `*` (the splat) and `:name` placeholders, matched
// against the path, or against `https://host/path` when the rule names a host. Tenants write these
// and anyone sends the paths, so a pattern is checked before it is ever compiled: one splat at
// most, and each placeholder a whole path segment (or host label), which keeps matching linear.

export interface CompiledPattern {
  regex: RegExp
  /** The rule names a host: match against `https://<host><path>`. */
  withHost: boolean
}

export const MAX_PATTERN_LENGTH = 2000

const ESCAPE = /[.+?^${}()|[\]\\]/g
const PLACEHOLDER = /:([A-Za-z]\w*)/g

/** Why a pattern cannot be a rule, or undefined. */
export function patternProblem(pattern: string): string | undefined {
  if (pattern.length > MAX_PATTERN_LENGTH) return `longer than ${MAX_PATTERN_LENGTH} characters`
  const withHost = /^https?:\/\//i.test(pattern)
  if (!withHost && !pattern.startsWith('/')) return "a path must start with '/'"
  const stars = pattern.split('*').length - 1
  if (stars > 1) return "at most one '*'"
  const hostEnd = withHost ? pattern.indexOf('/', pattern.indexOf('//') + 2) : 0
  const names = new Set<string>()
  for (const m of pattern.matchAll(PLACEHOLDER)) {
    if (stars === 1 && m[1] === 'splat') return "':splat' cannot be used with '*'"
    if (names.has(m[1]!)) return `placeholder ':${m[1]}' appears twice`
    names.add(m[1]!)
    const start = m.index
    const end = start + m[0].length
    const inHost = withHost && (hostEnd === -1 || start < hostEnd)
    const before = pattern[start - 1]
    const after = pattern[end]
    const ok = inHost
      ? (before === '/' || before === '.') && (after === '.' || after === '/' || after === undefined)
      : before === '/' && (after === '/' || after === undefined)
    if (!ok) return `placeholder ':${m[1]}' must be a whole ${inHost ? 'host label' : 'path segment'}`
  }
  if (/:(?![A-Za-z])/.test(pattern.replace(/^https?:\/\//i, ''))) return "':' must start a placeholder name"
  try {
    compilePattern(pattern)
  } catch (e) {
    return `not a valid pattern (${(e as Error).message})`
  }
  return undefined
}

/** Compiles a pattern that passed patternProblem. */
export function compilePattern(written: string): CompiledPattern {
  const withHost = /^https?:\/\//i.test(written)
  const hostEnd = withHost ? written.indexOf('/', written.indexOf('//') + 2) : 0
  // URL hostnames are lower case; the path keeps its case.
  const pattern = withHost ? (hostEnd === -1 ? written.toLowerCase() : written.slice(0, hostEnd).toLowerCase() + written.slice(hostEnd)) : written
  let source = ''
  let last = 0
  const literal = (text: string) => text.replace(ESCAPE, '\\$&').replace('*', '(?<splat>.*)')
  for (const m of pattern.matchAll(PLACEHOLDER)) {
    source += literal(pattern.slice(last, m.index))
    const inHost = withHost && (hostEnd === -1 || m.index < hostEnd)
    source += `(?<${m[1]}>${inHost ? '[^/.]+' : '[^/]+'})`
    last = m.index + m[0].length
  }
  source += literal(pattern.slice(last))
  if (withHost) source = source.replace(/^http:/, 'https:')
  return { regex: new RegExp(`^${source}$`), withHost }
}

/** The placeholders a pattern captured from a URL, or undefined when it does not match. */
export function matchPattern(p: CompiledPattern, url: URL): Record<string, string> | undefined {
  const subject = p.withHost ? `https://${url.hostname}${url.pathname}` : url.pathname
  const m = p.regex.exec(subject)
  if (!m) return undefined
  return { ...(m.groups ?? {}) }
}

/** Replaces `:splat` and `:name` in a target or header value with what a match captured. */
export function substitute(template: string, captured: Record<string, string>): string {
  return template.replace(PLACEHOLDER, (whole, name: string) => captured[name] ?? whole)
}
