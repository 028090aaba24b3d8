import { isoTime, type Clock } from '../../util/clock.js'
import { uuid } from '../../util/ids.js'
import { rethrowConflict } from '../shared/dialect.js'
import { namespaceConflict, newNamespace, toNamespace, type NamespaceRow } from '../shared/namespaces.js'
import { assetScope, type Namespace, type NamespaceStore } from '../store.js'
import { dialect, type Db, type Sql } from './database.js'

const SELECT = `SELECT n.*, (SELECT COUNT(*) FROM scripts s WHERE s.namespace_id = n.id)::int AS script_count
  FROM dispatch_namespaces n`

const sql = {
  insert: `INSERT INTO dispatch_namespaces (id, account_id, name, trusted_workers, created_on, modified_on)
           VALUES ($1, $2, $3, false, $4, $4)`,
  list: `${SELECT} WHERE n.account_id = $1 ORDER BY n.created_on, n.name`,
  get: `${SELECT} WHERE n.account_id = $1 AND n.name = $2`,
  byId: `${SELECT} WHERE n.id = $1`,
  // One statement, so a rename and a trust flip arriving together cannot undo each other.
  update: `UPDATE dispatch_namespaces
           SET name = COALESCE($3, name), trusted_workers = COALESCE($4, trusted_workers), modified_on = $5
           WHERE account_id = $1 AND name = $2 RETURNING name`,
  // The row lock makes a publish into this namespace (which takes a share lock) wait or finish first.
  lockForDelete: 'SELECT id FROM dispatch_namespaces WHERE account_id = $1 AND name = $2 FOR UPDATE',
  deleteScripts: 'DELETE FROM scripts WHERE namespace_id = $1',
  deleteAssetFiles: 'DELETE FROM asset_files WHERE account_id = $1 AND left(scope, length($2)) = $2',
  deleteAssetSessions: 'DELETE FROM asset_sessions WHERE namespace_id = $1',
  delete: 'DELETE FROM dispatch_namespaces WHERE id = $1',
} as const

export function postgresNamespaces(db: Db, clock: Clock): NamespaceStore {
  const get = async (q: Sql, accountId: string, name: string): Promise<Namespace | undefined> => {
    const r = await q.one<NamespaceRow>(sql.get, [accountId, name])
    return r && toNamespace(dialect, r)
  }
  return {
    async create(accountId, name) {
      const id = uuid()
      const now = isoTime(clock.now())
      try {
        await db.run(sql.insert, [id, accountId, name, now])
      } catch (e) {
        rethrowConflict(dialect, namespaceConflict(name), e)
      }
      return newNamespace(id, accountId, name, now)
    },
    async list(accountId) {
      return (await db.rows<NamespaceRow>(sql.list, [accountId])).map((r) => toNamespace(dialect, r))
    },
    async get(accountId, name) {
      return get(db, accountId, name)
    },
    async getById(id) {
      const r = await db.one<NamespaceRow>(sql.byId, [id])
      return r && toNamespace(dialect, r)
    },
    async update(accountId, name, patch) {
      const now = isoTime(clock.now())
      let updated: { name: string } | undefined
      try {
        updated = await db.one<{ name: string }>(sql.update, [
          accountId,
          name,
          patch.name ?? null,
          patch.trustedWorkers ?? null,
          now,
        ])
      } catch (e) {
        rethrowConflict(dialect, namespaceConflict(patch.name ?? name), e)
      }
      return updated && get(db, accountId, updated.name)
    },
    async delete(accountId, name) {
      return db.tx(async (q) => {
        const row = await q.one<{ id: string }>(sql.lockForDelete, [accountId, name])
        if (!row) return false
        await q.run(sql.deleteScripts, [row.id])
        await q.run(sql.deleteAssetFiles, [accountId, assetScope(row.id, '')])
        await q.run(sql.deleteAssetSessions, [row.id])
        await q.run(sql.delete, [row.id])
        return true
      })
    },
  }
}
