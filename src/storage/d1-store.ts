import type { AccountId, D1DatabaseId } from '../domain/ids.js'

/** A D1 database as the store knows it: its rows live in its own SQLite file (src/d1/). */
export interface D1DatabaseRecord {
  id: D1DatabaseId
  accountId: AccountId
  name: string
  createdOn: string
}

/** D1 databases of each account; names are unique per account. */
export interface D1Store {
  /** StorageConflict when the account already has a database of that name. */
  createDatabase(accountId: AccountId, name: string): Promise<D1DatabaseRecord>
  listDatabases(accountId: AccountId): Promise<D1DatabaseRecord[]>
  getDatabase(accountId: AccountId, id: D1DatabaseId): Promise<D1DatabaseRecord | undefined>
  findDatabaseByName(accountId: AccountId, name: string): Promise<D1DatabaseRecord | undefined>
  deleteDatabase(accountId: AccountId, id: D1DatabaseId): Promise<boolean>
}
