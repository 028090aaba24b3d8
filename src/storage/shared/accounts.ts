import type { AccountId } from '../../domain/ids.js'
import type { Account, ApiToken } from '../store.js'
import type { Dialect } from './dialect.js'

export interface AccountRow {
  id: string
  name: string
  email: string
  subdomain: string
  created_on: unknown
}
export interface TokenRow {
  id: string
  account_id: string
  name: string
  status: string
  created_on: unknown
}

export const toAccount = (dialect: Dialect, r: AccountRow): Account => ({
  id: r.id as AccountId,
  name: r.name,
  email: r.email,
  subdomain: r.subdomain,
  createdOn: dialect.time(r.created_on),
})

export const toToken = (dialect: Dialect, r: TokenRow): ApiToken => ({
  id: r.id,
  accountId: r.account_id as AccountId,
  name: r.name,
  status: r.status === 'disabled' ? 'disabled' : 'active',
  createdOn: dialect.time(r.created_on),
})

export const accountConflict = (email: string, subdomain: string): string =>
  `account with email ${email} or subdomain ${subdomain}`
