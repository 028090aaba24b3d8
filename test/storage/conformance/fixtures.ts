import type { AccountId } from '../../../src/domain/ids.js'
import type { NewVersion, ScriptScope, Store } from '../../../src/storage/store.js'

/** Where every test's clock starts: a round, far-future instant, so expirations are easy to read. */
export const START = Date.UTC(2030, 0, 1)

export const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s)

/** UTF-8 byte order: Cloudflare's KV order, and the order both drivers list names in. */
export const byteOrder = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b))

/** A new account whose email and subdomain derive from `label`. */
export async function newAccount(store: Store, label: string): Promise<AccountId> {
  const account = await store.accounts.create({
    name: label,
    email: `${label}@example.com`,
    globalKeyHash: `key-of-${label}`,
    subdomain: label,
  })
  return account.id
}

/** An account and a dispatch namespace in it: the usual home of a test's scripts. */
export async function newNamespaceScope(store: Store, label: string): Promise<ScriptScope> {
  const accountId = await newAccount(store, label)
  const ns = await store.namespaces.create(accountId, 'production')
  return { accountId, namespaceId: ns.id }
}

/** A one-module ES module version. */
export const esmVersion = (code: string, extra: Partial<NewVersion> = {}): NewVersion => ({
  format: 'modules',
  mainModule: 'worker.js',
  modules: [{ name: 'worker.js', type: 'esm', content: utf8(code) }],
  compatibilityDate: '2025-01-01',
  compatibilityFlags: [],
  bindings: [],
  ...extra,
})
