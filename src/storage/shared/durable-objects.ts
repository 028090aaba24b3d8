import type { AccountId, NamespaceId, ScriptId } from '../../domain/ids.js'
import type { Dialect } from './dialect.js'
import type { DurableObjectNamespace, LocatedDurableObjectNamespace } from '../store.js'

export interface DoNamespaceRow {
  id: string
  script_id: string
  class_name: string
  use_sqlite: unknown
  created_on: unknown
}

export interface LocatedDoNamespaceRow extends DoNamespaceRow {
  account_id: string
  namespace_id: string
  script_name: string
}

export const toDoNamespace = (_dialect: Dialect, r: DoNamespaceRow): DurableObjectNamespace => ({
  id: r.id,
  scriptId: r.script_id as ScriptId,
  className: r.class_name,
  useSqlite: Number(r.use_sqlite) === 1,
  createdOn: String(r.created_on),
})

export const toLocatedDoNamespace = (dialect: Dialect, r: LocatedDoNamespaceRow): LocatedDurableObjectNamespace => ({
  ...toDoNamespace(dialect, r),
  accountId: r.account_id as AccountId,
  namespaceId: r.namespace_id === '' ? null : (r.namespace_id as NamespaceId),
  scriptName: r.script_name,
})

export const LOCATED_DO_NAMESPACE_SQL = `SELECT d.*, s.account_id, s.namespace_id, s.name AS script_name
  FROM durable_object_namespaces d JOIN scripts s ON s.id = d.script_id`

/** The conflict a concurrent change of the same script's tag shows as (the caller answers 10079). */
export const sameTag = (a: string | null | undefined, b: string | null): boolean => (a ?? null) === b
