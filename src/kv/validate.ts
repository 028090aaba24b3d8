import {
  kvIllegalKey,
  kvInvalidExpiration,
  kvInvalidExpirationTtl,
  kvInvalidMetadata,
  kvInvalidRequest,
  kvKeyTooLong,
  kvMetadataTooLarge,
  kvPayloadTooLarge,
} from '../domain/errors.js'
import { KV_LIMITS } from './limits.js'

/** Throws Cloudflare's error for a key it would refuse. */
export function validateKey(key: string): void {
  if (key === '') throw kvIllegalKey('Key names must not be empty')
  if (key === '.' || key === '..') throw kvIllegalKey(`Illegal key name "${key}". Please use a different name.`)
  validateKeyLength(key)
}

/** Prefixes have the same length limit as keys, but may be empty or a dot. */
export function validateKeyLength(key: string): void {
  const bytes = Buffer.byteLength(key, 'utf8')
  if (bytes > KV_LIMITS.maxKeyBytes) throw kvKeyTooLong(bytes, KV_LIMITS.maxKeyBytes)
}

export function validateValueSize(bytes: number): void {
  if (bytes > KV_LIMITS.maxValueBytes)
    throw kvPayloadTooLarge(`Value length of ${bytes} exceeds limit of ${KV_LIMITS.maxValueBytes}.`)
}

/** A raw query or JSON value for expiration / expiration_ttl: absent, a number, or a numeric string. */
export type RawSeconds = string | number | null | undefined

const present = (raw: RawSeconds): raw is string | number => raw !== undefined && raw !== null && raw !== ''

/** Cloudflare reads these like parseInt: "120abc" is 120, "abc" is not a number at all. */
const parseSeconds = (raw: string | number): number => (typeof raw === 'number' ? Math.trunc(raw) : parseInt(raw, 10))

/**
 * The absolute expiration (unix seconds) a write asks for, or undefined when it never expires.
 * expiration_ttl wins over expiration, and then expiration is not looked at.
 */
export function resolveExpiration(raw: { expiration?: RawSeconds; expirationTtl?: RawSeconds }, now: number): number | undefined {
  const nowSeconds = Math.floor(now / 1000)
  const min = KV_LIMITS.minExpirationTtl
  if (present(raw.expirationTtl)) {
    const ttl = parseSeconds(raw.expirationTtl)
    if (Number.isNaN(ttl) || ttl <= 0)
      throw kvInvalidExpirationTtl(`Invalid expiration_ttl of ${raw.expirationTtl}. Please specify integer greater than 0.`)
    if (ttl < min)
      throw kvInvalidExpirationTtl(`Invalid expiration_ttl of ${raw.expirationTtl}. Expiration TTL must be at least ${min}.`)
    return nowSeconds + ttl
  }
  if (present(raw.expiration)) {
    const at = parseSeconds(raw.expiration)
    if (Number.isNaN(at) || at <= nowSeconds)
      throw kvInvalidExpiration(
        `Invalid expiration of ${raw.expiration}. Please specify integer greater than the current number of seconds since the UNIX epoch.`,
      )
    if (at < nowSeconds + min)
      throw kvInvalidExpiration(
        `Invalid expiration of ${raw.expiration}. Expiration times must be at least ${min} seconds in the future.`,
      )
    return at
  }
  return undefined
}

/** Serializes metadata for storage, or undefined when there is none (null counts as none). */
export function serializeMetadata(metadata: unknown): string | undefined {
  if (metadata === undefined || metadata === null) return undefined
  let json: string | undefined
  try {
    json = JSON.stringify(metadata)
  } catch (e) {
    throw kvInvalidMetadata(`metadata is not serializable as JSON: ${(e as Error).message}`)
  }
  if (json === undefined) throw kvInvalidMetadata('metadata is not serializable as JSON')
  const bytes = Buffer.byteLength(json, 'utf8')
  if (bytes > KV_LIMITS.maxMetadataBytes) throw kvMetadataTooLarge(bytes, KV_LIMITS.maxMetadataBytes)
  return json
}

/** Metadata as it arrives on the wire (a multipart part, a header): JSON text. */
export function parseMetadataText(text: string): unknown {
  try {
    return JSON.parse(text) as unknown
  } catch {
    throw kvInvalidMetadata('metadata must be valid JSON')
  }
}

/** The binding's `cacheTtl`: checked like Cloudflare, then ignored. */
export function validateCacheTtl(raw: RawSeconds): void {
  if (!present(raw)) return
  const ttl = typeof raw === 'number' ? raw : Number(raw)
  if (Number.isNaN(ttl) || ttl < KV_LIMITS.minCacheTtl)
    throw kvInvalidRequest(`Invalid cache_ttl of ${raw}. Cache TTL must be at least ${KV_LIMITS.minCacheTtl}.`)
}
