import type { AccountId } from '../../domain/ids.js'
import type { TokenCondition, TokenPolicy } from '../../domain/token-policy.js'
import type { Account, ApiToken, TokenSettings } from '../store.js'
import { toJson, type Dialect } from './dialect.js'

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
  token_hash: string
  name: string
  status: string
  created_on: unknown
  owner: string
  policies: unknown
  request_condition: unknown
  not_before: unknown
  expires_on: unknown
  modified_on: unknown
  last_used_on: unknown
}

export const toAccount = (dialect: Dialect, r: AccountRow): Account => ({
  id: r.id as AccountId,
  name: r.name,
  email: r.email,
  subdomain: r.subdomain,
  createdOn: dialect.time(r.created_on),
})

const optionalTime = (dialect: Dialect, v: unknown): string | null => (v === null || v === undefined ? null : dialect.time(v))

export const toToken = (dialect: Dialect, r: TokenRow): ApiToken => ({
  id: r.id,
  accountId: r.account_id as AccountId,
  name: r.name,
  status: r.status === 'disabled' ? 'disabled' : 'active',
  createdOn: dialect.time(r.created_on),
  owner: r.owner === 'account' ? 'account' : 'user',
  policies: r.policies === null || r.policies === undefined ? null : dialect.json<TokenPolicy[]>(r.policies),
  condition: dialect.json<TokenCondition>(r.request_condition),
  notBefore: optionalTime(dialect, r.not_before),
  expiresOn: optionalTime(dialect, r.expires_on),
  // Tokens from before scoping have no modified_on: they were never modified.
  modifiedOn: optionalTime(dialect, r.modified_on) ?? dialect.time(r.created_on),
  lastUsedOn: optionalTime(dialect, r.last_used_on),
})

/** The settings values in the column order both drivers write (name, status, policies, request_condition, not_before, expires_on). */
export const tokenSettingValues = (s: TokenSettings): unknown[] => [
  s.name,
  s.status ?? 'active',
  s.policies === null ? null : toJson(s.policies),
  toJson(s.condition ?? {}),
  s.notBefore ?? null,
  s.expiresOn ?? null,
]

/** What a full-access token (from `start` or the CLI) is: no policies, no condition, no window. */
export const fullAccess = (name: string): TokenSettings => ({ name, policies: null })

export const accountConflict = (email: string, subdomain: string): string =>
  `account with email ${email} or subdomain ${subdomain}`
