import type { AccountId, KvNamespaceId } from '../domain/ids.js'

/** Workers KV persistence. Owned by the KV issue; see docs there. */
export interface KvNamespace {
  id: KvNamespaceId
  accountId: AccountId
  title: string
}

export interface KvStore {
  createNamespace(accountId: AccountId, title: string): Promise<KvNamespace>
  listNamespaces(accountId: AccountId): Promise<KvNamespace[]>
  getNamespace(accountId: AccountId, id: KvNamespaceId): Promise<KvNamespace | undefined>
  renameNamespace(accountId: AccountId, id: KvNamespaceId, title: string): Promise<KvNamespace | undefined>
  deleteNamespace(accountId: AccountId, id: KvNamespaceId): Promise<boolean>
}
