import type { AccountId, KvNamespaceId } from '../domain/ids.js'

/** Workers KV persistence. Owned by the KV issue; see docs there. */
export interface KvNamespace {
  id: KvNamespaceId
  accountId: AccountId
  title: string
}

/** The namespace an entry operation acts on, and the account that must own it. */
export interface KvScope {
  accountId: AccountId
  namespaceId: KvNamespaceId
}

/** What listing shows of an entry: everything but the value. */
export interface KvKeyInfo {
  name: string
  /** Unix seconds; absent when the entry never expires. */
  expiration?: number
  /** The metadata as stored, serialized JSON; absent when none was given. */
  metadata?: string
}

export interface KvEntry extends KvKeyInfo {
  /** Backed by a plain ArrayBuffer, so it can be a Response body as is. */
  value: Uint8Array<ArrayBuffer>
}

/** One entry to write; `expiration` is already resolved to unix seconds and checked by the caller. */
export interface KvWrite {
  key: string
  value: Uint8Array
  expiration?: number
  metadata?: string
}

export interface KvKeyPage {
  keys: KvKeyInfo[]
  /** More live keys follow the last one returned. */
  more: boolean
}

/**
 * Entry methods take `now` (milliseconds since the epoch, from the caller's Clock) so one clock
 * decides what has expired. An expired entry is never returned; reads that meet one purge it.
 */
export interface KvStore {
  createNamespace(accountId: AccountId, title: string): Promise<KvNamespace>
  listNamespaces(accountId: AccountId): Promise<KvNamespace[]>
  getNamespace(accountId: AccountId, id: KvNamespaceId): Promise<KvNamespace | undefined>
  renameNamespace(accountId: AccountId, id: KvNamespaceId, title: string): Promise<KvNamespace | undefined>
  /** Deletes the namespace and every entry in it. */
  deleteNamespace(accountId: AccountId, id: KvNamespaceId): Promise<boolean>

  /** Writes every entry (replacing value, expiration and metadata) or none; false when the namespace is gone. */
  putEntries(scope: KvScope, entries: KvWrite[]): Promise<boolean>
  /** The live entry with its value. */
  getEntry(scope: KvScope, key: string, now: number): Promise<KvEntry | undefined>
  /** The live entry without its value (metadata lookups). */
  getEntryInfo(scope: KvScope, key: string, now: number): Promise<KvKeyInfo | undefined>
  /** The live entries among `keys`, by key. */
  getEntries(scope: KvScope, keys: string[], now: number): Promise<Map<string, KvEntry>>
  /** Deletes the entries that exist, all together; false when the namespace is gone. */
  deleteEntries(scope: KvScope, keys: string[]): Promise<boolean>
  /** Live keys in UTF-8 byte order, starting with `prefix`, strictly after `after`. */
  listKeys(scope: KvScope, opts: { prefix: string; after?: string; limit: number; now: number }): Promise<KvKeyPage>
  /** Deletes up to `limit` expired entries across all namespaces; how many went. */
  purgeExpired(now: number, limit: number): Promise<number>
}
