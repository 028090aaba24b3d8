import type { AssetFile, VersionAssets } from '../storage/store.js'
import type { AssetConfig } from './config.js'
import { applyHeaderRules } from './headers.js'
import { htmlIntent, notFoundIntent, type Intent } from './intent.js'
import { applyRedirects } from './redirects.js'

/** The parts of a request the asset pipeline reads. */
export interface AssetRequest {
  url: URL
  method: string
  headers: Headers
}

export interface AssetSite {
  manifest: VersionAssets['manifest']
  config: AssetConfig
  load(hash: string): Promise<AssetFile | undefined>
}

/**
 * How the request came: through the `ASSETS` binding (assets only, full config), or as a request to
 * a script, where the router decides between assets and the Worker (`hasWorker`).
 */
export type AssetMode =
  | { kind: 'binding' }
  | { kind: 'router'; hasWorker: boolean; navigationPrefersAssets: boolean }

/** The Worker should handle this request: no asset, redirect or fallback claims it. */
export const TO_WORKER = Symbol('to worker')

/**
 * Cloudflare's asset serving for one request: `_redirects`, html_handling, not_found_handling,
 * 405 for other methods, canonical-path 307s, ETag/304, `_headers`. For a script with a Worker,
 * paths no asset claims go to the Worker; the SPA / 404-page fallbacks claim paths before the
 * Worker only for browser navigations (compatibility date ≥ 2025-04-01) or with run_worker_first
 * rules, as on Cloudflare.
 */
export async function serveAssets(site: AssetSite, req: AssetRequest, mode: AssetMode): Promise<Response | typeof TO_WORKER> {
  const { config } = site
  const redirect = applyRedirects(config.redirects, req.url)
  if (redirect?.kind === 'redirect') {
    return finish(site, req, new Response(null, { status: redirect.status, headers: { location: redirect.location } }))
  }
  const proxied = redirect?.kind === 'rewrite'
  const rawPath = proxied ? redirect.pathname : req.url.pathname
  const path = decodePath(rawPath)
  const hashOf = (p: string): string | undefined => (Object.hasOwn(site.manifest, p) ? site.manifest[p]!.hash : undefined)
  const intent = htmlIntent(path, config.htmlHandling, hashOf)
  let fallback: Intent | undefined
  if (!intent) {
    const claimsBeforeWorker =
      mode.kind === 'binding' ||
      !mode.hasWorker ||
      typeof config.runWorkerFirst === 'object' ||
      (mode.navigationPrefersAssets && req.headers.get('sec-fetch-mode') === 'navigate')
    if (claimsBeforeWorker) fallback = notFoundIntent(path, config.notFoundHandling, hashOf)
  }
  const chosen = intent ?? fallback
  if (!chosen) {
    if (mode.kind === 'router' && mode.hasWorker && !proxied) return TO_WORKER
    return finish(site, req, new Response(null, { status: 404 }))
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') return finish(site, req, new Response(null, { status: 405 }))
  if (chosen.kind === 'redirect') return finish(site, req, temporaryRedirect(encodePath(chosen.to) + req.url.search))
  if (!proxied && encodePath(path) !== rawPath) return finish(site, req, temporaryRedirect(encodePath(path) + req.url.search))
  return finish(site, req, await serveFile(site, req, chosen.file, chosen.status))
}

async function serveFile(site: AssetSite, req: AssetRequest, file: string, status: number): Promise<Response> {
  const entry = site.manifest[file]
  if (!entry) return new Response(null, { status: 404 })
  const etag = `"${entry.hash}"`
  const headers = new Headers({ etag })
  const ifNoneMatch = req.headers.get('if-none-match')
  const notModified = status === 200 && (ifNoneMatch === etag || ifNoneMatch === `W/${etag}`)
  const found = await site.load(entry.hash)
  if (!found) return new Response(null, { status: 404 })
  if (found.contentType) headers.set('content-type', found.contentType)
  if (!req.headers.has('authorization') && !req.headers.has('range')) headers.set('cache-control', 'public, max-age=0, must-revalidate')
  if (notModified) return new Response(null, { status: 304, headers })
  if (req.method === 'HEAD') {
    headers.set('content-length', String(entry.size))
    return new Response(null, { status, headers })
  }
  return new Response(found.content, { status, headers })
}

function finish(site: AssetSite, req: AssetRequest, response: Response): Response {
  applyHeaderRules(site.config.headers, req.url, response.headers)
  return response
}

const temporaryRedirect = (location: string): Response => new Response(null, { status: 307, headers: { location } })

/** Each segment percent-decoded (left as it is when malformed), repeated slashes collapsed. */
function decodePath(path: string): string {
  return path
    .split('/')
    .map((segment) => {
      try {
        return decodeURIComponent(segment)
      } catch {
        return segment
      }
    })
    .join('/')
    .replace(/\/{2,}/g, '/')
}

const encodePath = (path: string): string => path.split('/').map(encodeURIComponent).join('/')
