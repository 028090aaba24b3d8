import type { AccountId, KvNamespaceId } from '../../domain/ids.js'
import type { KvEntry, KvKeyInfo, KvNamespace } from '../kv-store.js'
import { asBytes } from './bytes.js'

/**
 * The smallest byte string greater than every string that starts with `prefix`; null when there is
 * no such bound (the prefix is empty or all 0xff). KV lists a prefix as the range [prefix, bound).
 */
export function prefixUpperBound(prefix: Buffer): Buffer | null {
  let end = prefix.length
  while (end > 0 && prefix[end - 1] === 0xff) end--
  if (end === 0) return null
  const bound = Buffer.from(prefix.subarray(0, end))
  bound[end - 1] = bound[end - 1]! + 1
  return bound
}

/** A KV entry row as both drivers read it (PostgreSQL hands a BIGINT expiration over as a string). */
export interface KvRow {
  key: Buffer
  expiration: number | string | null
  metadata: string | null
}

export const kvKeyInfo = (r: KvRow): KvKeyInfo => ({
  name: r.key.toString('utf8'),
  ...(r.expiration !== null ? { expiration: Number(r.expiration) } : {}),
  ...(r.metadata !== null ? { metadata: r.metadata } : {}),
})

export const kvEntry = (r: KvRow & { value: Buffer }): KvEntry => ({ ...kvKeyInfo(r), value: asBytes(r.value) })

export const kvKeyBytes = (key: string): Buffer => Buffer.from(key, 'utf8')

/** Expiration is kept in whole seconds, as Cloudflare reports it; an entry is gone from that second on. */
export const nowSeconds = (now: number): number => Math.floor(now / 1000)

export const isExpired = (r: KvRow, now: number): boolean =>
  r.expiration !== null && Number(r.expiration) <= nowSeconds(now)

export interface KvNamespaceRow {
  id: string
  account_id: string
  title: string
}

export const toKvNamespace = (r: KvNamespaceRow): KvNamespace => ({
  id: r.id as KvNamespaceId,
  accountId: r.account_id as AccountId,
  title: r.title,
})
