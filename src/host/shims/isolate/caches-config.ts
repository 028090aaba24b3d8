// Placeholder of a generated module: the loader replaces `__workerhive/caches-config.js` with this
// script's values (loader.worker.ts), so caches.ts is checked against the shape it will get.
export interface CachesConfig {
  /** Where the calls go (CACHE_ORIGIN): the Worker's outbound entrypoint scopes them. */
  origin: string
  /** CACHE_HEADERS of protocol.ts. */
  headHeader: string
  resultHeader: string
  matchHeaders: readonly string[]
  /** False in untrusted namespaces, where Cloudflare disables caches.default. */
  defaultEnabled: boolean
}

export const config: CachesConfig = { origin: '', headHeader: '', resultHeader: '', matchHeaders: [], defaultEnabled: false }
