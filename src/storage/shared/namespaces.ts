import type { AccountId, NamespaceId } from '../../domain/ids.js'
import type { Namespace } from '../store.js'
import type { Dialect } from './dialect.js'

/** A dispatch namespace row with the count of its scripts. */
export interface NamespaceRow {
  id: string
  account_id: string
  name: string
  trusted_workers: unknown
  created_on: unknown
  modified_on: unknown
  script_count: number
}

export const toNamespace = (dialect: Dialect, r: NamespaceRow): Namespace => ({
  id: r.id as NamespaceId,
  accountId: r.account_id as AccountId,
  name: r.name,
  trustedWorkers: dialect.bool(r.trusted_workers),
  createdOn: dialect.time(r.created_on),
  modifiedOn: dialect.time(r.modified_on),
  scriptCount: r.script_count,
})

/** A namespace as created: untrusted and empty. */
export const newNamespace = (id: string, accountId: AccountId, name: string, now: string): Namespace => ({
  id: id as NamespaceId,
  accountId,
  name,
  trustedWorkers: false,
  createdOn: now,
  modifiedOn: now,
  scriptCount: 0,
})

export const namespaceConflict = (name: string): string => `dispatch namespace ${name}`
