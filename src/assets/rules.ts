// URL patterns of `_redirects` and `_headers`: `*` (a splat) and `:name` placeholders, matched
// against the path, or against `https://host/path` when the rule names a host.

export interface CompiledPattern {
  regex: RegExp
  /** The rule names a host: match against `https://<host><path>`. */
  withHost: boolean
}

const ESCAPE = /[.+?^${}()|[\]\\]/g

export function compilePattern(pattern: string): CompiledPattern {
  const withHost = /^https?:\/\//.test(pattern)
  const source = pattern
    .replace(/^http:\/\//, 'https://')
    .replace(ESCAPE, '\\$&')
    // Only the first `*` is the splat (a group name may appear once).
    .replace(/\*/, '(?<splat>.*)')
    .replace(/(?<!\(\?<splat>\.)\*/g, '.*')
    // A placeholder in the host stops at a dot. (`https://` has no word character after its colon.)
    .replace(/:(\w+)/g, (_whole, name: string, offset: number, all: string) => {
      const inHost = withHost && offset < hostEnd(all)
      return `(?<${name}>${inHost ? '[^/.]+' : '[^/]+'})`
    })
  return { regex: new RegExp(`^${source}$`), withHost }
}

function hostEnd(escaped: string): number {
  const start = escaped.indexOf('//') + 2
  const slash = escaped.indexOf('/', start)
  return slash === -1 ? escaped.length : slash
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
  return template.replace(/:(\w+)/g, (whole, name: string) => captured[name] ?? whole)
}
