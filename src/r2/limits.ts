/** R2's published limits (developers.cloudflare.com/r2/platform/limits/). */
export const R2_LIMITS = {
  /** A single put: 5 GiB less 5 MiB (4.995 GiB); larger objects go through multipart uploads. */
  maxPutBytes: 5 * 1024 ** 3 - 5 * 1024 ** 2,
  /** One part of a multipart upload. */
  maxPartBytes: 5 * 1024 ** 3 - 5 * 1024 ** 2,
  /** Every part but the last. */
  minPartBytes: 5 * 1024 ** 2,
  maxParts: 10_000,
  maxKeyBytes: 1024,
  /** Custom metadata, keys and values together. */
  maxMetadataBytes: 2048,
  maxListKeys: 1000,
} as const

export const R2_STORAGE_CLASSES = ['Standard', 'InfrequentAccess'] as const
export const R2_LOCATIONS = ['apac', 'eeur', 'enam', 'weur', 'wnam', 'oc'] as const

/** Cloudflare's rule: 3-63 characters, lower-case letters, digits and hyphens, alphanumeric at both ends. */
export const isValidBucketName = (name: string): boolean => /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/.test(name)
