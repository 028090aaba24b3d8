import { isoTime, type Clock } from '../../util/clock.js'
import { uuid } from '../../util/ids.js'
import { rethrowConflict } from '../shared/dialect.js'
import { namespaceConflict, newNamespace, toNamespace, type NamespaceRow } from '../shared/namespaces.js'
import { assetScope, type Namespace, type NamespaceStore } from '../store.js'
import { dialect, type Db } from './database.js'

const SELECT = `SELECT n.*, (SELECT COUNT(*) FROM scripts s WHERE s.namespace_id = n.id) AS script_count
  FROM dispatch_namespaces n`

export function sqliteNamespaces(db: Db, clock: Clock): NamespaceStore {
  const s = {
    insert: db.prepare(
      'INSERT INTO dispatch_namespaces (id, account_id, name, trusted_workers, created_on, modified_on) VALUES (?, ?, ?, 0, ?, ?)',
    ),
    list: db.prepare<[string], NamespaceRow>(`${SELECT} WHERE n.account_id = ? ORDER BY n.created_on, n.name`),
    get: db.prepare<[string, string], NamespaceRow>(`${SELECT} WHERE n.account_id = ? AND n.name = ?`),
    byId: db.prepare<[string], NamespaceRow>(`${SELECT} WHERE n.id = ?`),
    update: db.prepare(
      'UPDATE dispatch_namespaces SET name = ?, trusted_workers = ?, modified_on = ? WHERE id = ?',
    ),
    deleteScripts: db.prepare('DELETE FROM scripts WHERE namespace_id = ?'),
    deleteAssetFiles: db.prepare('DELETE FROM asset_files WHERE account_id = ? AND substr(scope, 1, length(?)) = ?'),
    deleteAssetSessions: db.prepare('DELETE FROM asset_sessions WHERE namespace_id = ?'),
    delete: db.prepare('DELETE FROM dispatch_namespaces WHERE id = ?'),
  }
  const get = (accountId: string, name: string): Namespace | undefined => {
    const r = s.get.get(accountId, name)
    return r && toNamespace(dialect, r)
  }
  return {
    async create(accountId, name) {
      const id = uuid()
      const now = isoTime(clock.now())
      try {
        s.insert.run(id, accountId, name, now, now)
      } catch (e) {
        rethrowConflict(dialect, namespaceConflict(name), e)
      }
      return newNamespace(id, accountId, name, now)
    },
    async list(accountId) {
      return s.list.all(accountId).map((r) => toNamespace(dialect, r))
    },
    async get(accountId, name) {
      return get(accountId, name)
    },
    async getById(id) {
      const r = s.byId.get(id)
      return r && toNamespace(dialect, r)
    },
    async update(accountId, name, patch) {
      const current = get(accountId, name)
      if (!current) return undefined
      const nextName = patch.name ?? current.name
      const trusted = patch.trustedWorkers ?? current.trustedWorkers
      try {
        s.update.run(nextName, trusted ? 1 : 0, isoTime(clock.now()), current.id)
      } catch (e) {
        rethrowConflict(dialect, namespaceConflict(nextName), e)
      }
      return get(accountId, nextName)
    },
    async delete(accountId, name) {
      const current = get(accountId, name)
      if (!current) return false
      db.transaction(() => {
        s.deleteScripts.run(current.id)
        const prefix = assetScope(current.id, '')
        s.deleteAssetFiles.run(accountId, prefix, prefix)
        s.deleteAssetSessions.run(current.id)
        s.delete.run(current.id)
      })()
      return true
    },
  }
}
