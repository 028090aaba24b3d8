import { MigrationsSchema, planMigrations } from '../../domain/durable-object-migrations.js'
import { durableObjectClassMissing, migrationInvalid } from '../../domain/errors.js'
import type { AccountId, NamespaceId } from '../../domain/ids.js'
import { hexId } from '../../util/ids.js'
import type { DurableObjectMigration, Store, StoredBinding } from '../../storage/store.js'
import { describeZodError } from './metadata.js'

export interface ResolvedDurableObjects {
  bindings: StoredBinding[]
  /** What the upload's `migrations` change (undefined: it has none). */
  migration: DurableObjectMigration | undefined
}

/**
 * Plans an upload's `migrations` and resolves its `durable_object_namespace` bindings against the
 * classes the script will have (or another script's of the same scope), storing each binding's
 * namespace id. Everything is checked before anything is stored: a mismatched tag (10079), a step
 * that does not apply (10074) or a binding to a class nobody implements (10061) changes nothing.
 */
export async function resolveDurableObjects(input: {
  migrations: unknown
  bindings: StoredBinding[]
  accountId: AccountId
  scope: { namespaceId: NamespaceId | null; script: string }
  store: Pick<Store, 'scripts' | 'durableObjects'>
}): Promise<ResolvedDurableObjects> {
  const { store } = input
  const where = { accountId: input.accountId, namespaceId: input.scope.namespaceId }
  const hasDo = input.bindings.some((b) => b.type === 'durable_object_namespace')
  if (input.migrations === undefined && !hasDo) return { bindings: input.bindings, migration: undefined }
  const parsed = input.migrations === undefined || input.migrations === null ? undefined : MigrationsSchema.safeParse(input.migrations)
  if (parsed && !parsed.success) throw migrationInvalid(describeZodError(parsed.error, 'metadata.migrations'))
  const existing = await store.scripts.get(where, input.scope.script)
  const namespacesOf = async (script: string) => {
    const s = await store.scripts.get(where, script)
    return s && (await store.durableObjects.ofScript(s.id))
  }
  const plan = await planMigrations({
    migrations: parsed?.data,
    current: existing ? await store.durableObjects.ofScript(existing.id) : [],
    currentTag: existing?.migrationTag ?? null,
    namespacesOf,
    newId: hexId,
  })
  const bindings: StoredBinding[] = []
  for (const b of input.bindings) {
    if (b.type !== 'durable_object_namespace') {
      bindings.push(b)
      continue
    }
    const className = String(b.class_name)
    const other = typeof b.script_name === 'string' && b.script_name !== input.scope.script ? b.script_name : undefined
    const namespaceId = other
      ? (await namespacesOf(other))?.find((n) => n.className === className)?.id
      : plan.classes.get(className)
    if (!namespaceId) throw durableObjectClassMissing(className, other ?? input.scope.script)
    bindings.push({ ...b, namespace_id: namespaceId })
  }
  return { bindings, migration: parsed ? plan.migration : undefined }
}
