import type { DurableObjectMigration, NewVersion, Script, ScriptVersion } from '../../storage/store.js'
import type { ApiContext, ApiDeps } from '../context.js'
import { invalidScriptName, migrationTagMismatch } from '../../domain/errors.js'
import { parseScriptUpload } from '../upload/parse.js'
import { prepareUpload } from '../upload/prepare.js'
import { notifyEdge, withFreshScript } from './change.js'
import { pruneVersions, requireScriptRoom } from '../quotas.js'
import type { LocatedScope, ScriptLocator } from './locator.js'

/**
 * A whole-script upload (`PUT …/scripts/:name`), shared by namespace and account scripts: name
 * rules, parsing and validation, the binding merge with the current version, an optimistic publish
 * retried on concurrent changes, and the edge told before the API answers. `stamp` lets the caller
 * mark the version (source, annotations).
 */
export async function publishUpload(
  deps: ApiDeps,
  c: ApiContext,
  locator: ScriptLocator,
  where: LocatedScope,
  name: string,
  stamp: (version: NewVersion) => NewVersion = (v) => v,
): Promise<{ script: Script; version: ScriptVersion; startupTimeMs: number }> {
  const problem = locator.nameProblem(name)
  if (problem) throw invalidScriptName(problem)
  const upload = await parseScriptUpload(c.req.raw, { maxBytes: deps.config.maxScriptBytes })
  const strictInherit = c.req.query('bindings_inherit') === 'strict'
  let migration: DurableObjectMigration | undefined
  const { script, version } = await withFreshScript(name, async () => {
    const existing = await deps.store.scripts.get(where, name)
    if (!existing) await requireScriptRoom(deps, where, where.namespaceName ?? undefined)
    const previous = existing && (await deps.store.scripts.version(existing.currentVersionId))
    const prepared = await prepareUpload({
      upload,
      accountId: where.accountId,
      previous,
      strictInherit,
      scope: { namespaceId: where.namespaceId, script: name },
      store: deps.store,
      now: deps.clock.now(),
      startup: deps.startup,
    })
    const published = await deps.store.scripts.publish({
      scope: where,
      name,
      version: stamp(prepared.version),
      tags: prepared.tags,
      settings: prepared.settings,
      ifCurrent: existing?.currentVersionId ?? null,
    })
    migration = prepared.durableObjects
    if (migration) {
      // Planned against the tag read before publishing; a concurrent upload that moved it wins.
      const applied = await deps.store.durableObjects.migrate(published.script.id, migration)
      if (!applied.applied) throw migrationTagMismatch(applied.currentTag)
      return { ...published, script: { ...published.script, migrationTag: migration.toTag ?? published.script.migrationTag } }
    }
    return published
  })
  await pruneVersions(deps, script.id)
  await notifyEdge(deps, where, name)
  // A deleted class's objects go with their storage, after the answer (their namespace is gone
  // from the store, so nothing reaches them meanwhile).
  const deleted = migration?.delete ?? []
  if (deleted.length > 0) void deps.edge.objectsDeleted(deleted)
  return { script, version, startupTimeMs: upload.startupTimeMs }
}
