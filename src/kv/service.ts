import {
  kvInvalid,
  kvInvalidLimit,
  kvInvalidNamespaceId,
  kvInvalidRequest,
  kvNamespaceNotFound,
  kvPayloadTooLarge,
  kvTitleTaken,
} from '../domain/errors.js'
import type { AccountId, KvNamespaceId } from '../domain/ids.js'
import type { KvKeyInfo, KvNamespace, KvScope, KvStore, KvWrite } from '../storage/kv-store.js'
import { StorageConflict } from '../storage/store.js'
import type { Clock } from '../util/clock.js'
import { decodeKeyCursor, encodeKeyCursor } from './cursor.js'
import { KV_LIMITS } from './limits.js'
import {
  resolveExpiration,
  serializeMetadata,
  validateCacheTtl,
  validateKey,
  validateKeyLength,
  validateValueSize,
  type RawSeconds,
} from './validate.js'

/**
 * Workers KV with Cloudflare's semantics and limits, independent of transport: the REST routes and
 * the binding's internal route both call this. Failures are the API's KV errors (status, Cloudflare
 * code, Cloudflare's message), which each transport renders its own way. Bad input changes nothing.
 */
export interface KvService {
  createNamespace(accountId: AccountId, title: unknown): Promise<KvNamespace>
  listNamespaces(accountId: AccountId, sort: NamespaceSort): Promise<KvNamespace[]>
  getNamespace(accountId: AccountId, id: string): Promise<KvNamespace>
  renameNamespace(accountId: AccountId, id: string, title: unknown): Promise<KvNamespace>
  /** Deletes the namespace with every entry in it. */
  deleteNamespace(accountId: AccountId, id: string): Promise<void>

  /** The live value, or null when the key is absent or expired. */
  get(ref: KvRef, key: string, opts?: { cacheTtl?: RawSeconds }): Promise<KvValue | null>
  /** The live entry's metadata (null if it has none), or undefined when the key is absent or expired. */
  getMetadata(ref: KvRef, key: string): Promise<{ metadata: unknown; expiration?: number } | undefined>
  /** Several values decoded as text or JSON, by key; absent keys map to null. */
  getMany(ref: KvRef, keys: string[], opts?: KvGetManyOptions): Promise<Record<string, unknown>>
  /** Writes one entry; answers its expiration and metadata as a read of it would. */
  put(ref: KvRef, key: string, value: Uint8Array, opts?: KvPutOptions): Promise<{ expiration?: number; metadata?: unknown }>
  /** Writes all entries or none; how many were written. */
  putMany(ref: KvRef, entries: KvBulkEntry[]): Promise<number>
  /** Deleting an absent key succeeds. */
  delete(ref: KvRef, key: string): Promise<void>
  deleteMany(ref: KvRef, keys: string[]): Promise<number>
  list(ref: KvRef, opts?: KvListOptions): Promise<KvListPage>
  /** One batch of the expiry sweep: deletes up to `batch` expired entries, answers how many. */
  purgeExpired(batch?: number): Promise<number>
}

/** A namespace as a caller names it: the id is unchecked until the service has looked at it. */
export interface KvRef {
  accountId: AccountId
  namespaceId: string
}

export interface NamespaceSort {
  order: 'id' | 'title'
  direction: 'asc' | 'desc'
}

export interface KvValue {
  value: Uint8Array<ArrayBuffer>
  /** Unix seconds. */
  expiration?: number
  /** Parsed JSON; absent when the entry has none. */
  metadata?: unknown
}

export interface KvPutOptions {
  expiration?: RawSeconds
  expirationTtl?: RawSeconds
  metadata?: unknown
}

export interface KvBulkEntry extends KvPutOptions {
  key: string
  value: Uint8Array
}

export interface KvGetManyOptions {
  /** 'text' (default) or 'json'; anything else is refused like Cloudflare refuses it. */
  type?: unknown
  withMetadata?: boolean
  cacheTtl?: RawSeconds
}

export interface KvListOptions {
  prefix?: string | null
  /** 1..1000, default 1000. */
  limit?: number
  cursor?: string | null
}

export interface KvListPage {
  keys: Array<{ name: string; expiration?: number; metadata?: unknown }>
  listComplete: boolean
  /** '' on the last page. */
  cursor: string
}

const NAMESPACE_ID = /^[0-9a-f]{32}$/

export function createKvService(deps: { store: KvStore; clock: Clock }): KvService {
  const { store, clock } = deps

  /** The namespace, if it is the caller's: a foreign id answers exactly like a missing one. */
  const requireNamespace = async (accountId: AccountId, id: string, op: string): Promise<KvNamespace> => {
    if (!NAMESPACE_ID.test(id)) throw kvInvalidNamespaceId(id)
    const ns = await store.getNamespace(accountId, id as KvNamespaceId)
    if (!ns) throw kvNamespaceNotFound(op)
    return ns
  }
  const scopeOf = async (ref: KvRef, op: string): Promise<KvScope> => {
    const ns = await requireNamespace(ref.accountId, ref.namespaceId, op)
    return { accountId: ns.accountId, namespaceId: ns.id }
  }

  /** Checks everything about one write before anything is stored. */
  const prepareWrite = (key: string, value: Uint8Array, opts: KvPutOptions, now: number): KvWrite => {
    validateKey(key)
    const expiration = resolveExpiration(opts, now)
    const metadata = serializeMetadata(opts.metadata)
    validateValueSize(value.byteLength)
    return {
      key,
      value,
      ...(expiration !== undefined ? { expiration } : {}),
      ...(metadata !== undefined ? { metadata } : {}),
    }
  }

  const writeAll = async (scope: KvScope, writes: KvWrite[], op: string): Promise<void> => {
    if (!(await store.putEntries(scope, writes))) throw kvNamespaceNotFound(op)
  }

  return {
    async createNamespace(accountId, title) {
      const t = requireTitle(title)
      try {
        return await store.createNamespace(accountId, t)
      } catch (e) {
        if (e instanceof StorageConflict) throw kvTitleTaken()
        throw e
      }
    },

    async listNamespaces(accountId, { order, direction }) {
      const sign = direction === 'desc' ? -1 : 1
      const list = await store.listNamespaces(accountId)
      return list.sort((a, b) => sign * (compare(a[order], b[order]) || compare(a.id, b.id)))
    },

    async getNamespace(accountId, id) {
      return requireNamespace(accountId, id, 'get')
    },

    async renameNamespace(accountId, id, title) {
      await requireNamespace(accountId, id, 'rename')
      const t = requireTitle(title)
      try {
        const renamed = await store.renameNamespace(accountId, id as KvNamespaceId, t)
        if (!renamed) throw kvNamespaceNotFound('rename')
        return renamed
      } catch (e) {
        if (e instanceof StorageConflict) throw kvTitleTaken()
        throw e
      }
    },

    async deleteNamespace(accountId, id) {
      await requireNamespace(accountId, id, 'delete')
      if (!(await store.deleteNamespace(accountId, id as KvNamespaceId))) throw kvNamespaceNotFound('delete')
    },

    async get(ref, key, opts = {}) {
      const scope = await scopeOf(ref, 'get')
      validateKey(key)
      validateCacheTtl(opts.cacheTtl)
      const entry = await store.getEntry(scope, key, clock.now())
      if (!entry) return null
      return { value: entry.value, ...infoFields(entry) }
    },

    async getMetadata(ref, key) {
      const scope = await scopeOf(ref, 'get')
      validateKey(key)
      const info = await store.getEntryInfo(scope, key, clock.now())
      if (!info) return undefined
      const { metadata, expiration } = infoFields(info)
      return { metadata: metadata ?? null, ...(expiration !== undefined ? { expiration } : {}) }
    },

    async getMany(ref, keys, opts = {}) {
      const scope = await scopeOf(ref, 'bulk get')
      const type = opts.type ?? 'text'
      if (type !== 'text' && type !== 'json') throw kvInvalidRequest(`"${String(type)}" is not a valid type. Use "json" or "text"`)
      if (keys.length > KV_LIMITS.maxBulkGetKeys)
        throw kvInvalidRequest(`You can request a maximum of ${KV_LIMITS.maxBulkGetKeys} keys`)
      if (keys.length < 1) throw kvInvalidRequest('You must request a minimum of 1 key')
      keys.forEach(validateKey)
      validateCacheTtl(opts.cacheTtl)

      const found = await store.getEntries(scope, keys, clock.now())
      const decoder = new TextDecoder()
      let total = 0
      const values: Record<string, unknown> = {}
      for (const key of keys) {
        const entry = found.get(key)
        if (!entry) {
          values[key] = null
          continue
        }
        total += entry.value.byteLength
        const text = decoder.decode(entry.value)
        const value = type === 'json' ? parseJsonValue(text) : text
        if (!opts.withMetadata) {
          values[key] = value
          continue
        }
        const { metadata, expiration } = infoFields(entry)
        values[key] = { value, metadata: metadata ?? null, ...(expiration !== undefined ? { expiration } : {}) }
      }
      if (total > KV_LIMITS.maxBulkGetBytes)
        throw kvPayloadTooLarge(`Total size of request exceeds the limit of ${KV_LIMITS.maxBulkGetBytes / 1024 / 1024}MB`)
      return values
    },

    async put(ref, key, value, opts = {}) {
      const scope = await scopeOf(ref, 'put')
      const write = prepareWrite(key, value, opts, clock.now())
      await writeAll(scope, [write], 'put')
      return infoFields({ ...write, name: key })
    },

    async putMany(ref, entries) {
      const scope = await scopeOf(ref, 'bulk put')
      if (entries.length > KV_LIMITS.maxBulkWrite)
        throw kvInvalidRequest(`You can write a maximum of ${KV_LIMITS.maxBulkWrite} key-value pairs per request`)
      const now = clock.now()
      const writes = entries.map((e) => prepareWrite(e.key, e.value, e, now))
      await writeAll(scope, writes, 'bulk put')
      return writes.length
    },

    async delete(ref, key) {
      const scope = await scopeOf(ref, 'delete')
      validateKey(key)
      if (!(await store.deleteEntries(scope, [key]))) throw kvNamespaceNotFound('delete')
    },

    async deleteMany(ref, keys) {
      const scope = await scopeOf(ref, 'bulk delete')
      if (keys.length > KV_LIMITS.maxBulkDelete)
        throw kvInvalidRequest(`You can delete a maximum of ${KV_LIMITS.maxBulkDelete} keys per request`)
      keys.forEach(validateKey)
      if (!(await store.deleteEntries(scope, keys))) throw kvNamespaceNotFound('bulk delete')
      return keys.length
    },

    async list(ref, opts = {}) {
      const scope = await scopeOf(ref, 'list keys')
      const prefix = opts.prefix ?? ''
      validateKeyLength(prefix)
      const limit = opts.limit ?? KV_LIMITS.maxListLimit
      validateListLimit(limit, 1)
      const after = opts.cursor ? decodeKeyCursor(opts.cursor) : undefined
      const page = await store.listKeys(scope, { prefix, after, limit, now: clock.now() })
      const last = page.keys[page.keys.length - 1]
      return {
        keys: page.keys.map((k) => ({ name: k.name, ...infoFields(k) })),
        listComplete: !page.more,
        cursor: page.more && last ? encodeKeyCursor(last.name) : '',
      }
    },

    async purgeExpired(batch = 1000) {
      return store.purgeExpired(clock.now(), batch)
    },
  }
}

/** Throws Cloudflare's error unless `limit` is an integer in [min, 1000]. */
export function validateListLimit(limit: number, min: number): void {
  if (!Number.isInteger(limit) || limit < min || limit > KV_LIMITS.maxListLimit)
    throw kvInvalidLimit(`Invalid limit of ${limit}. Please specify an integer between ${min} and ${KV_LIMITS.maxListLimit}.`)
}

function requireTitle(title: unknown): string {
  if (typeof title !== 'string' || title.trim() === '') throw kvInvalid('missing title')
  return title
}

/** Stored metadata is JSON we serialized ourselves, so parsing it cannot fail. */
function infoFields(info: KvKeyInfo): { expiration?: number; metadata?: unknown } {
  return {
    ...(info.expiration !== undefined ? { expiration: info.expiration } : {}),
    ...(info.metadata !== undefined ? { metadata: JSON.parse(info.metadata) as unknown } : {}),
  }
}

function parseJsonValue(text: string): unknown {
  try {
    return JSON.parse(text) as unknown
  } catch {
    throw kvInvalidRequest('At least one of the requested keys corresponds to a non-json value')
  }
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)
