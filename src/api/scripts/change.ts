import { StaleScriptVersion, type Script, type Store } from '../../storage/store.js'
import type { ApiDeps } from '../context.js'
import { concurrentScriptChange, latestVersionNotDeployed } from '../../domain/errors.js'
import type { LocatedScope } from './locator.js'

const MAX_ATTEMPTS = 20

/**
 * Runs a read-modify-publish change (publishing with `ifCurrent`) again while another change to the
 * same script gets in between, so concurrent secret puts or uploads never lose each other's work.
 */
export async function withFreshScript<T>(name: string, attempt: () => Promise<T>): Promise<T> {
  for (let i = 0; i < MAX_ATTEMPTS; i++) {
    try {
      return await attempt()
    } catch (e) {
      if (!(e instanceof StaleScriptVersion)) throw e
    }
  }
  throw concurrentScriptChange(name)
}

/** Tells the edge before the API answers, so the next request already runs the new version. */
export const notifyEdge = (deps: Pick<ApiDeps, 'edge'>, where: LocatedScope, name: string): Promise<void> =>
  deps.edge.scriptChanged({ accountId: where.accountId, namespaceId: where.namespaceId, name })

/**
 * Deletes one script; the Durable Object classes it implemented go with it (their rows cascade),
 * and their objects' storage is reclaimed after the answer, as a deleted_classes migration's is.
 */
export async function deleteScript(deps: Pick<ApiDeps, 'store' | 'edge'>, where: LocatedScope, name: string): Promise<boolean> {
  const script = await deps.store.scripts.get(where, name)
  const classes = script ? await deps.store.durableObjects.ofScript(script.id) : []
  if (!(await deps.store.scripts.delete(where, name))) return false
  if (classes.length > 0) void deps.edge.objectsDeleted(classes.map((c) => c.id))
  return true
}

/**
 * A secret change is a new version built on the current one and deployed at once; Cloudflare
 * refuses it (10215) unless the newest version alone serves everything, since otherwise it would
 * silently end a gradual deployment or drop a version uploaded for later.
 */
export async function requireLatestFullyDeployed(store: Pick<Store, 'scripts'>, script: Script): Promise<void> {
  const deployment = await store.scripts.activeDeployment(script.id)
  const [newest] = await store.scripts.versions(script.id)
  const only = deployment?.versions.length === 1 ? deployment.versions[0] : undefined
  if (!only || only.percentage !== 100 || only.versionId !== newest?.id) throw latestVersionNotDeployed()
}
