import type { HtmlHandling, NotFoundHandling } from './config.js'

/** What a path resolves to: a file to serve (with its status), a redirect, or nothing. */
export type Intent = { kind: 'serve'; file: string; status: 200 | 404 } | { kind: 'redirect'; to: string }

/** The content hash of a manifest path, or undefined when there is no such file. */
export type HashOf = (path: string) => string | undefined

type Step = () => Intent | undefined

/**
 * Resolves a decoded path by the html_handling mode, as Cloudflare's asset worker does: which file
 * serves `/about` (`/about.html`, `/about/index.html`), and which spellings redirect (307) to the
 * canonical one. A redirect is only issued when it is safe: its destination is not a file of its
 * own and resolves to the very same content; otherwise the path is looked up as it is.
 */
export function htmlIntent(path: string, mode: HtmlHandling, hashOf: HashOf): Intent | undefined {
  return resolve(path, mode, hashOf, true)
}

/** The not_found_handling fallback for a path nothing else resolved. */
export function notFoundIntent(path: string, mode: NotFoundHandling, hashOf: HashOf): Intent | undefined {
  if (mode === 'single-page-application') return hashOf('/index.html') ? serve('/index.html') : undefined
  if (mode === '404-page') {
    let dir = path.slice(0, path.lastIndexOf('/') + 1)
    for (;;) {
      if (hashOf(`${dir}404.html`)) return { kind: 'serve', file: `${dir}404.html`, status: 404 }
      if (dir === '/') return undefined
      dir = dir.slice(0, dir.slice(0, -1).lastIndexOf('/') + 1)
    }
  }
  return undefined
}

const serve = (file: string): Intent => ({ kind: 'serve', file, status: 200 })

function resolve(p: string, mode: HtmlHandling, hashOf: HashOf, redirects: boolean): Intent | undefined {
  const has = (path: string): boolean => hashOf(path) !== undefined
  const serveIf = (file: string): Step => () => (has(file) ? serve(file) : undefined)
  /** Redirect to `dest` for `file`, when safe (see htmlIntent). */
  const redirectIf = (file: string, dest: string): Step => () => {
    if (!redirects || !has(file) || has(dest)) return undefined
    const there = resolve(dest, mode, hashOf, false)
    return there?.kind === 'serve' && hashOf(there.file) === hashOf(file) ? { kind: 'redirect', to: dest } : undefined
  }
  const first = (...steps: Step[]): Intent | undefined => {
    for (const step of steps) {
      const intent = step()
      if (intent) return intent
    }
    return undefined
  }
  /** The step of the first candidate file that exists (whether or not that step gives an intent). */
  const byFile =
    (...candidates: Array<[string, Step]>): Step =>
    () => {
      for (const [file, step] of candidates) if (has(file)) return step()
      return undefined
    }
  const trimmed = (suffix: string): string => p.slice(0, p.length - suffix.length)
  /** `/x/` → `/x`; `/` stays. */
  const noSlash = (dir: string): string => (dir === '/' ? '/' : dir.slice(0, -1))

  if (mode === 'none') return first(serveIf(p))
  if (mode === 'auto-trailing-slash') {
    const exact = [serveIf(p), serveIf(`${p}.html`), redirectIf(`${p}/index.html`, `${p}/`)]
    if (p.endsWith('/index')) {
      const dir = trimmed('index')
      return first(
        byFile(
          [p, serveIf(p)],
          [`${p}.html`, redirectIf(`${p}.html`, dir)],
          [`${noSlash(dir)}.html`, redirectIf(`${noSlash(dir)}.html`, noSlash(dir))],
        ),
        ...exact,
      )
    }
    if (p.endsWith('/index.html')) {
      const dir = trimmed('index.html')
      return first(
        byFile(
          [p, redirectIf(p, dir)],
          [`${noSlash(dir)}.html`, redirectIf(`${noSlash(dir)}.html`, noSlash(dir))],
        ),
        ...exact,
      )
    }
    if (p.endsWith('/')) {
      return first(
        byFile(
          [`${p}index.html`, serveIf(`${p}index.html`)],
          [`${noSlash(p)}.html`, redirectIf(`${noSlash(p)}.html`, noSlash(p))],
        ),
        ...exact,
      )
    }
    if (p.endsWith('.html')) {
      const bare = trimmed('.html')
      return first(
        byFile(
          [p, redirectIf(p, bare)],
          [`${bare}/index.html`, redirectIf(`${bare}/index.html`, `${bare}/`)],
        ),
        ...exact,
      )
    }
    return first(...exact)
  }
  if (mode === 'force-trailing-slash') {
    const exact = [serveIf(p), redirectIf(`${p}.html`, `${p}/`), redirectIf(`${p}/index.html`, `${p}/`)]
    if (p.endsWith('/index')) {
      const dir = trimmed('index')
      return first(
        byFile(
          [p, serveIf(p)],
          [`${p}.html`, redirectIf(`${p}.html`, dir)],
          [`${noSlash(dir)}.html`, redirectIf(`${noSlash(dir)}.html`, dir)],
        ),
        ...exact,
      )
    }
    if (p.endsWith('/index.html')) {
      const dir = trimmed('index.html')
      return first(
        byFile(
          [p, redirectIf(p, dir)],
          [`${noSlash(dir)}.html`, redirectIf(`${noSlash(dir)}.html`, dir)],
        ),
        ...exact,
      )
    }
    if (p.endsWith('/')) return first(serveIf(`${p}index.html`), serveIf(`${noSlash(p)}.html`), ...exact)
    if (p.endsWith('.html')) {
      const bare = trimmed('.html')
      return first(
        byFile(
          [p, redirectIf(p, `${bare}/`)],
          [`${bare}/index.html`, redirectIf(`${bare}/index.html`, `${bare}/`)],
        ),
        ...exact,
      )
    }
    return first(...exact)
  }
  // drop-trailing-slash
  const exact = [serveIf(p), serveIf(`${p}.html`), serveIf(`${p}/index.html`)]
  if (p.endsWith('/index')) {
    const dir = trimmed('index')
    return first(
      byFile(
        [p, serveIf(p)],
        [`${p}.html`, redirectIf(`${p}.html`, noSlash(dir))],
        [`${noSlash(dir)}.html`, redirectIf(`${noSlash(dir)}.html`, noSlash(dir))],
      ),
      ...exact,
    )
  }
  if (p.endsWith('/index.html')) {
    const dir = trimmed('index.html')
    return first(
      byFile(
        [p, redirectIf(p, noSlash(dir))],
        [`${noSlash(dir)}.html`, redirectIf(`${noSlash(dir)}.html`, noSlash(dir))],
      ),
      ...exact,
    )
  }
  if (p === '/') return first(serveIf('/index.html'), ...exact)
  if (p.endsWith('/')) {
    return first(
      byFile(
        [`${p}index.html`, redirectIf(`${p}index.html`, noSlash(p))],
        [`${noSlash(p)}.html`, redirectIf(`${noSlash(p)}.html`, noSlash(p))],
      ),
      ...exact,
    )
  }
  if (p.endsWith('.html')) {
    const bare = trimmed('.html')
    return first(
      byFile(
        [p, redirectIf(p, bare)],
        [`${bare}/index.html`, redirectIf(`${bare}/index.html`, bare)],
      ),
      ...exact,
    )
  }
  return first(...exact)
}
