import type { D1DatabaseId } from '../../domain/ids.js'
import { isoTime, type Clock } from '../../util/clock.js'
import { uuid } from '../../util/ids.js'
import type { D1Store } from '../d1-store.js'
import { D1_CONFLICT, toD1Database, type D1DatabaseRow } from '../shared/d1.js'
import { rethrowConflict } from '../shared/dialect.js'
import { dialect, type Db } from './database.js'

export function sqliteD1(db: Db, clock: Clock): D1Store {
  const s = {
    insert: db.prepare('INSERT INTO d1_databases (id, account_id, name, created_at) VALUES (?, ?, ?, ?)'),
    list: db.prepare<[string], D1DatabaseRow>('SELECT * FROM d1_databases WHERE account_id = ? ORDER BY created_at, id'),
    get: db.prepare<[string, string], D1DatabaseRow>('SELECT * FROM d1_databases WHERE account_id = ? AND id = ?'),
    byName: db.prepare<[string, string], D1DatabaseRow>('SELECT * FROM d1_databases WHERE account_id = ? AND name = ?'),
    delete: db.prepare('DELETE FROM d1_databases WHERE account_id = ? AND id = ?'),
  }
  return {
    async createDatabase(accountId, name) {
      const id = uuid() as D1DatabaseId
      const createdOn = isoTime(clock.now())
      try {
        s.insert.run(id, accountId, name, createdOn)
      } catch (e) {
        rethrowConflict(dialect, D1_CONFLICT(name), e)
      }
      return { id, accountId, name, createdOn }
    },
    async listDatabases(accountId) {
      return s.list.all(accountId).map((r) => toD1Database(dialect, r))
    },
    async getDatabase(accountId, id) {
      const r = s.get.get(accountId, id)
      return r && toD1Database(dialect, r)
    },
    async findDatabaseByName(accountId, name) {
      const r = s.byName.get(accountId, name)
      return r && toD1Database(dialect, r)
    },
    async deleteDatabase(accountId, id) {
      return s.delete.run(accountId, id).changes > 0
    },
  }
}
