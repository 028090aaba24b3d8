import type { z } from 'zod'
import type { AccountId } from '../domain/ids.js'
import type { KvStore } from '../storage/kv-store.js'
import type { NamespaceStore, StoredBinding } from '../storage/store.js'

/** What a binding is checked against when a version is built: the account's resources, the upload's parts. */
export interface BindingContext {
  accountId: AccountId
  store: { kv: Pick<KvStore, 'getNamespace'>; namespaces: Pick<NamespaceStore, 'get'> }
  /** Names of the modules and other parts of the version being built. */
  parts: ReadonlySet<string>
}

/** One kind of binding: its Cloudflare wire schema and the rules that go with it. */
export interface BindingKind<S extends z.ZodObject = z.ZodObject> {
  readonly schema: S
  /** Why this binding cannot work in this account or version; undefined when it can. */
  check?(binding: z.output<S>, ctx: BindingContext): Promise<string | undefined>
  /** The binding as the API shows it (GET .../bindings, .../settings): never a secret's value. */
  publicView?(binding: StoredBinding): StoredBinding
}

export const defineBindingKind = <S extends z.ZodObject>(kind: BindingKind<S>): BindingKind<S> => kind
