import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { AccountId } from './domain/ids.js'
import type { Store, TokenSettings } from './storage/store.js'
import { hexId, secretToken, sha256Hex } from './util/ids.js'

/** The secrets of the first account, kept (mode 0600) in the data dir so later starts can print them. */
export interface Credentials {
  accountId: AccountId
  email: string
  /** Absent on a node that joined a shared store: only the first node ever saw the key in clear. */
  globalApiKey?: string
  apiToken: string
}

/** Where the first account's credentials are kept; the CLI reads them too. */
export const credentialsFile = (dataDir: string): string => join(dataDir, 'credentials.json')

/** New account with a global API key; the clear key is returned once and only its hash is stored. */
export async function createAccount(
  store: Store,
  input: { name: string; email: string },
): Promise<{ accountId: AccountId; globalApiKey: string }> {
  const globalApiKey = hexId() + hexId().slice(0, 5) // 37 hex characters, like Cloudflare's keys
  const subdomain = await freeSubdomain(store, input.email)
  const account = await store.accounts.create({
    name: input.name,
    email: input.email,
    globalKeyHash: sha256Hex(globalApiKey),
    subdomain,
  })
  return { accountId: account.id, globalApiKey }
}

/** A new token's value: full access to the account unless `settings` scope it. */
export async function createToken(store: Store, accountId: AccountId, name: string, settings?: TokenSettings): Promise<string> {
  const token = secretToken()
  await store.accounts.createToken({ accountId, name, tokenHash: sha256Hex(token), ...(settings ? { settings } : {}) })
  return token
}

/** Credentials that name an account the store does not hold: the store was replaced or emptied. */
export class CredentialsMismatchError extends Error {}

/**
 * On the first start, creates the first account and its token; afterwards, reads them back. Saved
 * credentials whose account the store lacks are never overwritten: that store is not this data
 * dir's (emptied, replaced, or the wrong PostgreSQL database).
 */
export async function ensureFirstAccount(store: Store, dataDir: string): Promise<Credentials> {
  const file = credentialsFile(dataDir)
  if (existsSync(file)) {
    let saved: Credentials
    try {
      saved = JSON.parse(readFileSync(file, 'utf8')) as Credentials
    } catch {
      throw new CredentialsMismatchError(`${file} is not valid JSON; restore it from a backup, or move it away to start a new platform`)
    }
    if (await store.accounts.get(saved.accountId)) return saved
    throw new CredentialsMismatchError(
      `${file} names account ${saved.accountId}, which the store does not hold (was the database emptied or replaced?); ` +
        'restore the database from a backup, or move credentials.json away to start a new platform',
    )
  }
  const existing = (await store.accounts.list())[0]
  let creds: Credentials
  if (existing) {
    // Another node of a shared (PostgreSQL) store created the first account: join it with a token
    // of our own; the global key is known only to the node that created it.
    const apiToken = await createToken(store, existing.id, 'node token')
    creds = { accountId: existing.id, email: existing.email, apiToken }
  } else {
    const email = 'admin@workerhive.local'
    const { accountId, globalApiKey } = await createAccount(store, { name: 'Workerhive', email })
    const apiToken = await createToken(store, accountId, 'first token')
    creds = { accountId, email, globalApiKey, apiToken }
  }
  mkdirSync(dataDir, { recursive: true })
  writeFileSync(file, JSON.stringify(creds, null, 2) + '\n', { mode: 0o600 })
  chmodSync(file, 0o600)
  return creds
}

/** A subdomain derived from the email's local part, made unique with a suffix when needed. */
async function freeSubdomain(store: Store, email: string): Promise<string> {
  const base =
    email
      .split('@')[0]!
      .toLowerCase()
      .replace(/[^a-z0-9-]/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 40) || 'account'
  for (let i = 0; ; i++) {
    const candidate = i === 0 ? base : `${base}-${i + 1}`
    if (!(await store.accounts.findBySubdomain(candidate))) return candidate
  }
}
