import type { HtmlHandling, NotFoundHandling } from './config.js'

/** What a path resolves to: a file to serve (with its status), a redirect, or nothing. */
export type Intent = { kind: 'serve'; file: string; status: 200 | 404 } | { kind: 'redirect'; to: string }

type Exists = (path: string) => boolean

/**
 * Resolves a decoded path by the html_handling mode, as Cloudflare's asset worker does: which file
 * serves `/about` (`/about.html`, `/about/index.html`), and which spellings redirect (307) to the
 * canonical one.
 */
export function htmlIntent(path: string, mode: HtmlHandling, exists: Exists): Intent | undefined {
  switch (mode) {
    case 'none':
      return exists(path) ? serve(path) : undefined
    case 'auto-trailing-slash':
      return autoTrailingSlash(path, exists)
    case 'force-trailing-slash':
      return forceTrailingSlash(path, exists)
    case 'drop-trailing-slash':
      return dropTrailingSlash(path, exists)
  }
}

/** The not_found_handling fallback for a path nothing else resolved. */
export function notFoundIntent(path: string, mode: NotFoundHandling, exists: Exists): Intent | undefined {
  if (mode === 'single-page-application') return exists('/index.html') ? serve('/index.html') : undefined
  if (mode === '404-page') {
    let dir = path.slice(0, path.lastIndexOf('/') + 1)
    for (;;) {
      if (exists(`${dir}404.html`)) return { kind: 'serve', file: `${dir}404.html`, status: 404 }
      if (dir === '/') return undefined
      dir = dir.slice(0, dir.slice(0, -1).lastIndexOf('/') + 1)
    }
  }
  return undefined
}

const serve = (file: string): Intent => ({ kind: 'serve', file, status: 200 })
const redirect = (to: string): Intent => ({ kind: 'redirect', to })

/** `/x/index.html` → `/x/`; `/x/index` → `/x/`. */
const dirOf = (path: string, suffix: string): string => path.slice(0, path.length - suffix.length)
/** `/x/` → `/x`, but `/` stays `/`. */
const withoutSlash = (dir: string): string => (dir === '/' ? '/' : dir.slice(0, -1))

function autoTrailingSlash(p: string, exists: Exists): Intent | undefined {
  if (p.endsWith('/index')) {
    const dir = dirOf(p, 'index')
    if (exists(p)) return serve(p)
    if (exists(`${p}.html`)) return redirect(dir)
    if (dir !== '/' && exists(`${withoutSlash(dir)}.html`)) return redirect(withoutSlash(dir))
    return undefined
  }
  if (p.endsWith('/index.html')) {
    const dir = dirOf(p, 'index.html')
    if (exists(p)) return redirect(dir)
    if (dir !== '/' && exists(`${withoutSlash(dir)}.html`)) return redirect(withoutSlash(dir))
    return undefined
  }
  if (p.endsWith('/')) {
    if (exists(`${p}index.html`)) return serve(`${p}index.html`)
    if (p !== '/' && exists(`${withoutSlash(p)}.html`)) return redirect(withoutSlash(p))
    return undefined
  }
  if (p.endsWith('.html')) {
    const bare = p.slice(0, -'.html'.length)
    if (exists(p)) return redirect(bare)
    if (exists(`${bare}/index.html`)) return redirect(`${bare}/`)
    return undefined
  }
  if (exists(p)) return serve(p)
  if (exists(`${p}.html`)) return serve(`${p}.html`)
  if (exists(`${p}/index.html`)) return redirect(`${p}/`)
  return undefined
}

function forceTrailingSlash(p: string, exists: Exists): Intent | undefined {
  if (p.endsWith('/index') || p.endsWith('/index.html')) {
    const dir = dirOf(p, p.endsWith('/index') ? 'index' : 'index.html')
    if (p.endsWith('/index') && exists(p)) return serve(p)
    if (exists(`${dir}index.html`)) return redirect(dir)
    if (dir !== '/' && exists(`${withoutSlash(dir)}.html`)) return redirect(dir)
    return undefined
  }
  if (p.endsWith('/')) {
    if (exists(`${p}index.html`)) return serve(`${p}index.html`)
    if (p !== '/' && exists(`${withoutSlash(p)}.html`)) return serve(`${withoutSlash(p)}.html`)
    return undefined
  }
  if (p.endsWith('.html')) {
    const bare = p.slice(0, -'.html'.length)
    if (exists(p)) return redirect(`${bare}/`)
    if (exists(`${bare}/index.html`)) return redirect(`${bare}/`)
    return undefined
  }
  if (exists(p)) return serve(p)
  if (exists(`${p}.html`) || exists(`${p}/index.html`)) return redirect(`${p}/`)
  return undefined
}

function dropTrailingSlash(p: string, exists: Exists): Intent | undefined {
  if (p === '/') return exists('/index.html') ? serve('/index.html') : undefined
  if (p.endsWith('/index') || p.endsWith('/index.html')) {
    const dir = dirOf(p, p.endsWith('/index') ? 'index' : 'index.html')
    if (p.endsWith('/index') && exists(p)) return serve(p)
    if (exists(`${dir}index.html`)) return redirect(withoutSlash(dir))
    return undefined
  }
  if (p.endsWith('/')) {
    const bare = withoutSlash(p)
    if (exists(`${p}index.html`) || exists(`${bare}.html`) || exists(bare)) return redirect(bare)
    return undefined
  }
  if (p.endsWith('.html')) {
    if (exists(p)) return redirect(p.slice(0, -'.html'.length))
    return undefined
  }
  if (exists(p)) return serve(p)
  if (exists(`${p}.html`)) return serve(`${p}.html`)
  if (exists(`${p}/index.html`)) return serve(`${p}/index.html`)
  return undefined
}
