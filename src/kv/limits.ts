/** Workers KV limits, as Cloudflare documents them (developers.cloudflare.com/kv/platform/limits). */
export const KV_LIMITS = {
  maxKeyBytes: 512,
  maxValueBytes: 25 * 1024 * 1024,
  /** Serialized JSON. */
  maxMetadataBytes: 1024,
  /** Seconds: both expiration_ttl and how far ahead an absolute expiration must be. */
  minExpirationTtl: 60,
  /** Seconds; the binding's `cacheTtl` is checked and then ignored (one location, nothing to cache). */
  minCacheTtl: 30,
  maxListLimit: 1000,
  /** The REST API's documented floor for `limit`; the binding accepts any limit from 1. */
  minRestListLimit: 10,
  maxBulkWrite: 10_000,
  maxBulkDelete: 10_000,
  /** "The entire request must be 100 megabytes or less." */
  maxBulkRequestBytes: 100 * 1024 * 1024,
  maxBulkGetKeys: 100,
  /** Total bytes of values one bulk get may answer with. */
  maxBulkGetBytes: 25 * 1024 * 1024,
} as const
