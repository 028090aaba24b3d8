// The Cache API shim of a loaded Worker is a real module (isolate/caches.ts, shipped as text by
// Node, see isolate-modules.worker.ts); this builds the per-script config module it imports.
import { CACHE_HEADERS, CACHE_MATCH_HEADERS, CACHE_ORIGIN } from '../../shared/protocol.js'
import type { CachesConfig } from './isolate/caches-config.js'

/** JS source of `__workerhive/caches-config.js` for one script. */
export function cachesConfigModule(defaultEnabled: boolean): string {
  const config: CachesConfig = {
    origin: CACHE_ORIGIN,
    headHeader: CACHE_HEADERS.head,
    resultHeader: CACHE_HEADERS.result,
    matchHeaders: CACHE_MATCH_HEADERS,
    defaultEnabled,
  }
  return `export const config = ${JSON.stringify(config)}\n`
}
