import type { AccountId, D1DatabaseId } from '../../domain/ids.js'
import type { D1DatabaseRecord } from '../d1-store.js'
import type { Dialect } from './dialect.js'

export interface D1DatabaseRow {
  id: string
  account_id: string
  name: string
  created_at: unknown
}

export const toD1Database = (dialect: Dialect, r: D1DatabaseRow): D1DatabaseRecord => ({
  id: r.id as D1DatabaseId,
  accountId: r.account_id as AccountId,
  name: r.name,
  createdOn: dialect.time(r.created_at),
})

export const D1_CONFLICT = (name: string): string => `D1 database ${name}`
