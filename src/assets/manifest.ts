import { z } from 'zod'

/** Cloudflare's limits: files per version and bytes per file. */
export const ASSET_LIMITS = { maxFiles: 100_000, maxFileBytes: 25 * 1024 * 1024 } as const

/** One upload request carries at most this much (before base64) and this many files. */
const BUCKET_BYTES = 40 * 1024 * 1024
const BUCKET_FILES = 1000

export const AssetManifestSchema = z
  .record(
    z.string().regex(/^\//, "paths start with '/'").max(4096),
    z.object({
      hash: z.string().regex(/^[0-9a-fA-F]{32,64}$/, 'hash must be 32 to 64 hexadecimal characters'),
      size: z
        .number()
        .int()
        .min(0)
        .max(ASSET_LIMITS.maxFileBytes, `files are at most ${ASSET_LIMITS.maxFileBytes} bytes`),
    }),
  )
  .refine((m) => Object.keys(m).length <= ASSET_LIMITS.maxFiles, `at most ${ASSET_LIMITS.maxFiles} files`)

export type AssetManifest = z.output<typeof AssetManifestSchema>

/** The distinct hashes of a manifest with the size of each. */
export function hashSizes(manifest: AssetManifest): Map<string, number> {
  const out = new Map<string, number>()
  for (const { hash, size } of Object.values(manifest)) out.set(hash, size)
  return out
}

/** Groups the hashes to upload into buckets (one upload request each), bounded in bytes and files. */
export function bucketsOf(missing: Map<string, number>): string[][] {
  const buckets: string[][] = []
  let current: string[] = []
  let bytes = 0
  for (const [hash, size] of missing) {
    if (current.length > 0 && (bytes + size > BUCKET_BYTES || current.length === BUCKET_FILES)) {
      buckets.push(current)
      current = []
      bytes = 0
    }
    current.push(hash)
    bytes += size
  }
  if (current.length > 0) buckets.push(current)
  return buckets
}
