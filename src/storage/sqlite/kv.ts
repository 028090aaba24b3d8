import type { KvNamespaceId } from '../../domain/ids.js'
import type { Clock } from '../../util/clock.js'
import { hexId } from '../../util/ids.js'
import type { KvEntry, KvScope, KvStore } from '../kv-store.js'
import { asBuffer } from '../shared/bytes.js'
import { pageOf } from '../shared/paging.js'
import {
  isExpired,
  kvEntry,
  kvKeyBytes,
  kvKeyInfo,
  nowSeconds,
  prefixUpperBound,
  toKvNamespace,
  type KvNamespaceRow,
} from '../shared/kv.js'
import { rethrowConflict } from '../shared/dialect.js'
import { dialect, type Db } from './database.js'

interface InfoRow {
  key: Buffer
  expiration: number | null
  metadata: string | null
}
interface EntryRow extends InfoRow {
  value: Buffer
}

export function sqliteKv(db: Db, _clock: Clock): KvStore {
  const live = '(expiration IS NULL OR expiration > ?)'
  const s = {
    insert: db.prepare('INSERT INTO kv_namespaces (id, account_id, title) VALUES (?, ?, ?)'),
    list: db.prepare<[string], KvNamespaceRow>('SELECT * FROM kv_namespaces WHERE account_id = ? ORDER BY title'),
    get: db.prepare<[string, string], KvNamespaceRow>('SELECT * FROM kv_namespaces WHERE account_id = ? AND id = ?'),
    rename: db.prepare('UPDATE kv_namespaces SET title = ? WHERE account_id = ? AND id = ?'),
    delete: db.prepare('DELETE FROM kv_namespaces WHERE account_id = ? AND id = ?'),

    upsertEntry: db.prepare(
      `INSERT INTO kv_entries (namespace_id, key, expiration, metadata, size) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (namespace_id, key) DO UPDATE
       SET expiration = excluded.expiration, metadata = excluded.metadata, size = excluded.size`,
    ),
    upsertValue: db.prepare(
      `INSERT INTO kv_values (namespace_id, key, value) VALUES (?, ?, ?)
       ON CONFLICT (namespace_id, key) DO UPDATE SET value = excluded.value`,
    ),
    entry: db.prepare<[string, Buffer], EntryRow>(
      `SELECT e.key, e.expiration, e.metadata, v.value FROM kv_entries e
       JOIN kv_values v ON v.namespace_id = e.namespace_id AND v.key = e.key
       WHERE e.namespace_id = ? AND e.key = ?`,
    ),
    info: db.prepare<[string, Buffer], InfoRow>(
      'SELECT key, expiration, metadata FROM kv_entries WHERE namespace_id = ? AND key = ?',
    ),
    deleteEntry: db.prepare('DELETE FROM kv_entries WHERE namespace_id = ? AND key = ?'),
    // Only if it is still expired: a concurrent put may have revived the key since it was read.
    purgeEntry: db.prepare('DELETE FROM kv_entries WHERE namespace_id = ? AND key = ? AND expiration <= ?'),
    listBounded: db.prepare<[string, Buffer, Buffer, Buffer, number, number], InfoRow>(
      `SELECT key, expiration, metadata FROM kv_entries
       WHERE namespace_id = ? AND key > ? AND key >= ? AND key < ? AND ${live}
       ORDER BY key LIMIT ?`,
    ),
    listUnbounded: db.prepare<[string, Buffer, Buffer, number, number], InfoRow>(
      `SELECT key, expiration, metadata FROM kv_entries
       WHERE namespace_id = ? AND key > ? AND key >= ? AND ${live}
       ORDER BY key LIMIT ?`,
    ),
    purgeExpired: db.prepare(
      `DELETE FROM kv_entries WHERE (namespace_id, key) IN (
         SELECT namespace_id, key FROM kv_entries
         WHERE expiration IS NOT NULL AND expiration <= ? LIMIT ?)`,
    ),
  }

  /** Every entry operation checks it, reads included: a scope naming another account's namespace finds nothing. */
  const ownsNamespace = (scope: KvScope): boolean => s.get.get(scope.accountId, scope.namespaceId) !== undefined

  /** The row if it is live; purges it if it has expired. */
  const liveOrPurge = <R extends InfoRow>(scope: KvScope, row: R | undefined, now: number): R | undefined => {
    if (!row) return undefined
    if (isExpired(row, now)) {
      s.purgeEntry.run(scope.namespaceId, row.key, nowSeconds(now))
      return undefined
    }
    return row
  }

  const putEntries = db.transaction((scope: KvScope, entries: Parameters<KvStore['putEntries']>[1]): boolean => {
    if (!ownsNamespace(scope)) return false
    for (const e of entries) {
      const key = kvKeyBytes(e.key)
      s.upsertEntry.run(scope.namespaceId, key, e.expiration ?? null, e.metadata ?? null, e.value.byteLength)
      s.upsertValue.run(scope.namespaceId, key, asBuffer(e.value))
    }
    return true
  })

  const deleteEntries = db.transaction((scope: KvScope, keys: string[]): boolean => {
    if (!ownsNamespace(scope)) return false
    for (const key of keys) s.deleteEntry.run(scope.namespaceId, kvKeyBytes(key))
    return true
  })

  return {
    async createNamespace(accountId, title) {
      const id = hexId()
      try {
        s.insert.run(id, accountId, title)
      } catch (e) {
        rethrowConflict(dialect, `KV namespace ${title}`, e)
      }
      return { id: id as KvNamespaceId, accountId, title }
    },
    async listNamespaces(accountId) {
      return s.list.all(accountId).map(toKvNamespace)
    },
    async getNamespace(accountId, id) {
      const r = s.get.get(accountId, id)
      return r && toKvNamespace(r)
    },
    async renameNamespace(accountId, id, title) {
      try {
        if (s.rename.run(title, accountId, id).changes === 0) return undefined
      } catch (e) {
        rethrowConflict(dialect, `KV namespace ${title}`, e)
      }
      return { id, accountId, title }
    },
    async deleteNamespace(accountId, id) {
      // Entries and values go with it through ON DELETE CASCADE, in the same statement.
      return s.delete.run(accountId, id).changes > 0
    },

    async putEntries(scope, entries) {
      return putEntries(scope, entries)
    },
    async getEntry(scope, key, now) {
      if (!ownsNamespace(scope)) return undefined
      const row = liveOrPurge(scope, s.entry.get(scope.namespaceId, kvKeyBytes(key)), now)
      return row && kvEntry(row)
    },
    async getEntryInfo(scope, key, now) {
      if (!ownsNamespace(scope)) return undefined
      const row = liveOrPurge(scope, s.info.get(scope.namespaceId, kvKeyBytes(key)), now)
      return row && kvKeyInfo(row)
    },
    async getEntries(scope, keys, now) {
      const found = new Map<string, KvEntry>()
      if (!ownsNamespace(scope)) return found
      for (const key of new Set(keys)) {
        const row = liveOrPurge(scope, s.entry.get(scope.namespaceId, kvKeyBytes(key)), now)
        if (row) found.set(key, kvEntry(row))
      }
      return found
    },
    async deleteEntries(scope, keys) {
      return deleteEntries(scope, keys)
    },
    async listKeys(scope, { prefix, after, limit, now }) {
      if (!ownsNamespace(scope)) return { keys: [], more: false }
      const from = kvKeyBytes(prefix)
      const upper = prefixUpperBound(from)
      const afterKey = kvKeyBytes(after ?? '')
      const rows = upper
        ? s.listBounded.all(scope.namespaceId, afterKey, from, upper, nowSeconds(now), limit + 1)
        : s.listUnbounded.all(scope.namespaceId, afterKey, from, nowSeconds(now), limit + 1)
      const { items, more } = pageOf(rows, limit)
      return { keys: items.map(kvKeyInfo), more }
    },
    async purgeExpired(now, limit) {
      return s.purgeExpired.run(nowSeconds(now), limit).changes
    },
  }
}
