import type { AccountId, KvNamespaceId } from '../../domain/ids.js'
import type { Clock } from '../../util/clock.js'
import { hexId } from '../../util/ids.js'
import type { KvNamespace, KvStore } from '../kv-store.js'
import { StorageConflict } from '../store.js'
import { isUniqueViolation } from './accounts.js'
import type { Db } from './database.js'

interface NamespaceRow {
  id: string
  account_id: string
  title: string
}
const toNamespace = (r: NamespaceRow): KvNamespace => ({
  id: r.id as KvNamespaceId,
  accountId: r.account_id as AccountId,
  title: r.title,
})

export function sqliteKv(db: Db, _clock: Clock): KvStore {
  const s = {
    insert: db.prepare('INSERT INTO kv_namespaces (id, account_id, title) VALUES (?, ?, ?)'),
    list: db.prepare<[string], NamespaceRow>('SELECT * FROM kv_namespaces WHERE account_id = ? ORDER BY title'),
    get: db.prepare<[string, string], NamespaceRow>('SELECT * FROM kv_namespaces WHERE account_id = ? AND id = ?'),
    rename: db.prepare('UPDATE kv_namespaces SET title = ? WHERE account_id = ? AND id = ?'),
    delete: db.prepare('DELETE FROM kv_namespaces WHERE account_id = ? AND id = ?'),
  }
  return {
    async createNamespace(accountId, title) {
      const id = hexId()
      try {
        s.insert.run(id, accountId, title)
      } catch (e) {
        if (isUniqueViolation(e)) throw new StorageConflict(`KV namespace ${title}`)
        throw e
      }
      return { id: id as KvNamespaceId, accountId, title }
    },
    async listNamespaces(accountId) {
      return s.list.all(accountId).map(toNamespace)
    },
    async getNamespace(accountId, id) {
      const r = s.get.get(accountId, id)
      return r && toNamespace(r)
    },
    async renameNamespace(accountId, id, title) {
      try {
        if (s.rename.run(title, accountId, id).changes === 0) return undefined
      } catch (e) {
        if (isUniqueViolation(e)) throw new StorageConflict(`KV namespace ${title}`)
        throw e
      }
      return { id, accountId, title }
    },
    async deleteNamespace(accountId, id) {
      return s.delete.run(accountId, id).changes > 0
    },
  }
}
