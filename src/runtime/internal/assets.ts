import type { Context } from 'hono'
import type { AssetConfig } from '../../assets/config.js'
import { serveAssets, TO_WORKER, type AssetMode, type AssetSite } from '../../assets/serve.js'
import { ASSET_HEADERS, ASSET_REQUEST_HEADERS } from '../../shared/protocol.js'
import type { AccountId, VersionId } from '../../domain/ids.js'
import { assetScope, type AssetFile, type Store } from '../../storage/store.js'
import { RecentlyUsed } from '../../util/recently-used.js'

/** Compatibility date from which browser navigations prefer assets (SPA/404 fallbacks) over the Worker. */
const NAVIGATION_PREFERS_ASSETS = '2025-04-01'

interface SiteOf {
  site: AssetSite
  hasWorker: boolean
  navigationPrefersAssets: boolean
}

/**
 * Serves a version's static assets for the host (the wire is described at ASSET_HEADERS). Versions
 * never change, so their parsed manifest and config are kept, the most recently used first.
 */
export function assetInternalHandler(store: Store, cacheSize = 256): (c: Context) => Promise<Response> {
  const sites = new RecentlyUsed<string, SiteOf | null>(cacheSize)
  const files = new HotFiles(store)

  async function siteOf(accountId: AccountId, versionId: string): Promise<SiteOf | null> {
    const key = `${accountId}/${versionId}`
    const cached = sites.get(key)
    if (cached !== undefined) return cached
    const version = await store.scripts.version(versionId as VersionId)
    const script = version && (await store.scripts.getById(version.scriptId))
    // The host names the account; the version must be one of that account's.
    const found: SiteOf | null =
      version?.assets && script?.accountId === accountId
        ? {
            site: {
              manifest: version.assets.manifest,
              config: version.assets.config as unknown as AssetConfig,
              load: (hash) => files.get(script.id, accountId, assetScope(script.namespaceId, script.name), hash),
            },
            hasWorker: version.mainModule !== '',
            navigationPrefersAssets:
              (version.compatibilityDate >= NAVIGATION_PREFERS_ASSETS ||
                version.compatibilityFlags.includes('assets_navigation_prefers_asset_serving')) &&
              !version.compatibilityFlags.includes('assets_navigation_has_no_effect'),
          }
        : null
    sites.set(key, found)
    return found
  }

  return async (c) => {
    const accountId = c.req.param('account') as AccountId
    const found = await siteOf(accountId, c.req.param('version') ?? '')
    if (!found) return c.text('no assets for this version', 404)
    const modeName = c.req.query('mode')
    const mode: AssetMode =
      modeName === 'router'
        ? { kind: 'router', hasWorker: found.hasWorker, navigationPrefersAssets: found.navigationPrefersAssets }
        : modeName === 'assets'
          ? { kind: 'router', hasWorker: false, navigationPrefersAssets: found.navigationPrefersAssets }
          : { kind: 'binding' }
    const headers = new Headers()
    for (const name of ASSET_REQUEST_HEADERS) {
      const value = c.req.header(name)
      if (value !== undefined) headers.set(name, value)
    }
    if (c.req.header(ASSET_HEADERS.authorized)) headers.set('authorization', 'present')
    const outcome = await serveAssets(
      found.site,
      { url: new URL(c.req.query('url') ?? 'http://invalid/'), method: (c.req.query('method') ?? 'GET').toUpperCase(), headers },
      mode,
    )
    if (outcome === TO_WORKER) return c.body(null, 204, { [ASSET_HEADERS.outcome]: 'worker' })
    outcome.headers.set(ASSET_HEADERS.outcome, 'served')
    return outcome
  }
}

/** Files up to 1 MiB, kept in memory (64 MiB in all, least recently used out first): the hot ones. */
class HotFiles {
  static readonly MAX_FILE = 1024 * 1024
  readonly #files = new RecentlyUsed<string, AssetFile>(64 * 1024 * 1024, (file) => file.content.byteLength)

  constructor(private readonly store: Store) {}

  /** Keyed by the script's id: a script re-created under the same name never sees these. */
  async get(scriptId: string, accountId: AccountId, scope: string, hash: string): Promise<AssetFile | undefined> {
    const key = `${scriptId}\n${hash}`
    const hit = this.#files.get(key)
    if (hit) return hit
    const file = await this.store.assets.get(accountId, scope, hash)
    if (file && file.content.byteLength <= HotFiles.MAX_FILE) this.#files.set(key, file)
    return file
  }
}
