import type { KvStore } from '../storage/kv-store.js'
import type { KvChange } from '../runtime/edge-notifier.js'

/**
 * The KV store, telling `changed` about every write once it is durable and before the write
 * answers, whichever way it came (REST API, binding, bulk): the edge's read caches forget the keys,
 * so the next binding get on this node sees the write.
 */
export function withKvChanges(store: KvStore, changed: (change: KvChange) => Promise<void>): KvStore {
  return Object.assign(Object.create(store) as KvStore, {
    async putEntries(scope, entries) {
      const done = await store.putEntries(scope, entries)
      if (done) await changed({ accountId: scope.accountId, namespaceId: scope.namespaceId, keys: entries.map((e) => e.key) })
      return done
    },
    async deleteEntries(scope, keys) {
      const done = await store.deleteEntries(scope, keys)
      if (done) await changed({ accountId: scope.accountId, namespaceId: scope.namespaceId, keys: [...keys] })
      return done
    },
    async deleteNamespace(accountId, id) {
      const done = await store.deleteNamespace(accountId, id)
      if (done) await changed({ accountId, namespaceId: id })
      return done
    },
  } satisfies Partial<KvStore>)
}
