import type { D1DatabaseId } from '../../domain/ids.js'
import { isoTime, type Clock } from '../../util/clock.js'
import { uuid } from '../../util/ids.js'
import type { D1Store } from '../d1-store.js'
import { D1_CONFLICT, toD1Database, type D1DatabaseRow } from '../shared/d1.js'
import { rethrowConflict } from '../shared/dialect.js'
import { dialect, type Db } from './database.js'

const sql = {
  insert: 'INSERT INTO d1_databases (id, account_id, name, created_at) VALUES ($1, $2, $3, $4)',
  list: 'SELECT * FROM d1_databases WHERE account_id = $1 ORDER BY created_at, id',
  get: 'SELECT * FROM d1_databases WHERE account_id = $1 AND id = $2',
  byName: 'SELECT * FROM d1_databases WHERE account_id = $1 AND name = $2',
  delete: 'DELETE FROM d1_databases WHERE account_id = $1 AND id = $2',
}

export function postgresD1(db: Db, clock: Clock): D1Store {
  return {
    async createDatabase(accountId, name) {
      const id = uuid() as D1DatabaseId
      const createdOn = isoTime(clock.now())
      await db.run(sql.insert, [id, accountId, name, createdOn]).catch((e: unknown) => rethrowConflict(dialect, D1_CONFLICT(name), e))
      return { id, accountId, name, createdOn }
    },
    async listDatabases(accountId) {
      return (await db.rows<D1DatabaseRow>(sql.list, [accountId])).map((r) => toD1Database(dialect, r))
    },
    async getDatabase(accountId, id) {
      const r = await db.one<D1DatabaseRow>(sql.get, [accountId, id])
      return r && toD1Database(dialect, r)
    },
    async findDatabaseByName(accountId, name) {
      const r = await db.one<D1DatabaseRow>(sql.byName, [accountId, name])
      return r && toD1Database(dialect, r)
    },
    async deleteDatabase(accountId, id) {
      return (await db.run(sql.delete, [accountId, id])) > 0
    },
  }
}
