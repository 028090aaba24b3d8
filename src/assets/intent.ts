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
  const trimmed = (suffix: string): string => p.slice(0, p.length - suffix.length)
  /** `/x/` → `/x`; `/` stays. */
  const noSlash = (dir: string): string => (dir === '/' ? '/' : dir.slice(0, -1))

  // Each chain is Cloudflare's asset worker's, step for step: a redirect that is not safe passes
  // on to the next step.
  if (mode === 'none') return first(serveIf(p))
  if (mode === 'auto-trailing-slash') {
    const exact = [serveIf(p), serveIf(`${p}.html`), redirectIf(`${p}/index.html`, `${p}/`)]
    if (p.endsWith('/index')) {
      const dir = trimmed('index')
      return first(serveIf(p), redirectIf(`${p}.html`, dir), redirectIf(`${noSlash(dir)}.html`, noSlash(dir)), ...exact)
    }
    if (p.endsWith('/index.html')) {
      const dir = trimmed('index.html')
      return first(redirectIf(p, dir), redirectIf(`${noSlash(dir)}.html`, noSlash(dir)), ...exact)
    }
    if (p.endsWith('/')) return first(serveIf(`${p}index.html`), redirectIf(`${noSlash(p)}.html`, noSlash(p)), ...exact)
    if (p.endsWith('.html')) {
      const bare = trimmed('.html')
      return first(redirectIf(p, bare), redirectIf(`${bare}/index.html`, `${bare}/`), ...exact)
    }
    return first(...exact)
  }
  if (mode === 'force-trailing-slash') {
    const exact = [serveIf(p), redirectIf(`${p}.html`, `${p}/`), redirectIf(`${p}/index.html`, `${p}/`)]
    if (p.endsWith('/index')) {
      const dir = trimmed('index')
      return first(serveIf(p), redirectIf(`${p}.html`, dir), redirectIf(`${noSlash(dir)}.html`, dir), ...exact)
    }
    if (p.endsWith('/index.html')) {
      const dir = trimmed('index.html')
      return first(redirectIf(p, dir), redirectIf(`${noSlash(dir)}.html`, dir), ...exact)
    }
    if (p.endsWith('/')) return first(serveIf(`${p}index.html`), serveIf(`${noSlash(p)}.html`), ...exact)
    if (p.endsWith('.html')) {
      const bare = trimmed('.html')
      return first(redirectIf(p, `${bare}/`), serveIf(p), redirectIf(`${bare}/index.html`, `${bare}/`), ...exact)
    }
    return first(...exact)
  }
  // drop-trailing-slash
  const exact = [serveIf(p), serveIf(`${p}.html`), serveIf(`${p}/index.html`)]
  if (p.endsWith('/index')) {
    if (p === '/index') return first(serveIf(p), redirectIf('/index.html', '/'), ...exact)
    const dir = trimmed('/index')
    return first(serveIf(p), redirectIf(`${dir}.html`, dir), redirectIf(`${p}.html`, dir), ...exact)
  }
  if (p.endsWith('/index.html')) {
    if (p === '/index.html') return first(redirectIf(p, '/'), ...exact)
    const dir = trimmed('/index.html')
    return first(redirectIf(p, dir), serveIf(p), redirectIf(`${dir}.html`, dir), ...exact)
  }
  if (p === '/') return first(serveIf('/index.html'), ...exact)
  if (p.endsWith('/')) {
    const bare = noSlash(p)
    return first(redirectIf(`${bare}.html`, bare), redirectIf(`${bare}/index.html`, bare), ...exact)
  }
  if (p.endsWith('.html')) {
    const bare = trimmed('.html')
    return first(redirectIf(p, bare), redirectIf(`${bare}/index.html`, bare), ...exact)
  }
  return first(...exact)
}
