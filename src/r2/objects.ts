import type { R2ObjectRow } from '../storage/r2-store.js'

/** Cloudflare's R2HTTPMetadata fields, as the binding, the REST API and S3 headers carry them. */
export const HTTP_METADATA_HEADERS = {
  contentType: 'content-type',
  contentLanguage: 'content-language',
  contentDisposition: 'content-disposition',
  contentEncoding: 'content-encoding',
  cacheControl: 'cache-control',
  cacheExpiry: 'expires',
} as const
export type HttpMetadataField = keyof typeof HTTP_METADATA_HEADERS

/** The HTTP metadata a request's headers state (wrangler's object put, S3 PutObject). */
export function httpMetadataFromHeaders(h: { get(name: string): string | null }): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [field, header] of Object.entries(HTTP_METADATA_HEADERS)) {
    const v = h.get(header)
    if (v === null || v === '') continue
    if (field === 'cacheExpiry') {
      const ms = Date.parse(v)
      if (!Number.isNaN(ms)) out[field] = new Date(ms).toISOString()
    } else out[field] = v
  }
  return out
}

/** Headers for an object's HTTP metadata (Expires in HTTP date form). */
export function httpMetadataHeaders(meta: Record<string, string>): Array<[string, string]> {
  const out: Array<[string, string]> = []
  for (const [field, header] of Object.entries(HTTP_METADATA_HEADERS)) {
    const v = meta[field]
    if (v === undefined) continue
    out.push([header, field === 'cacheExpiry' ? new Date(v).toUTCString() : v])
  }
  return out
}

/** An object as the binding's R2Object shows it (dates as ISO text; the isolate makes Dates). */
export interface R2ObjectView {
  key: string
  version: string
  size: number
  etag: string
  httpEtag: string
  uploaded: string
  httpMetadata: Record<string, string>
  customMetadata: Record<string, string>
  checksums: Record<string, string>
  storageClass: string
  range?: { offset: number; length: number }
}

export const objectView = (o: R2ObjectRow, include?: { httpMetadata: boolean; customMetadata: boolean }): R2ObjectView => ({
  key: o.key,
  version: o.version,
  size: o.size,
  etag: o.etag,
  httpEtag: `"${o.etag}"`,
  uploaded: new Date(o.uploaded).toISOString(),
  httpMetadata: include && !include.httpMetadata ? {} : o.httpMetadata,
  customMetadata: include && !include.customMetadata ? {} : o.customMetadata,
  checksums: o.checksums,
  storageClass: o.storageClass,
})
