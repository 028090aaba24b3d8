import { namespaceScriptNameProblem } from '../../domain/names.js'
import type { Script, ScriptScope, ScriptVersion, Store } from '../../storage/store.js'
import type { ApiContext, ApiDeps } from '../context.js'
import { namespaceNotFound, namespaceScriptNotFound, type ApiError } from '../../domain/errors.js'

/** A script scope as resolved from a request, with the namespace's name for the answers that show it. */
export interface LocatedScope extends ScriptScope {
  namespaceName: string | null
}

/**
 * Where a family of script routes finds its scripts: a dispatch namespace here, the account for
 * account-level scripts. The tags, secrets, settings and content routes take one, so both families
 * share them.
 */
export interface ScriptLocator {
  /** The hono path of the script collection, e.g. `/accounts/:accountId/workers/scripts`. */
  readonly collection: string
  /** The scope the request names; throws when its container (the namespace) does not exist. */
  scope(c: ApiContext): Promise<LocatedScope>
  /** The error clients expect here for a script that does not exist. */
  scriptNotFound(name: string, where: LocatedScope): ApiError
  /** Why `name` cannot be a script name here, or undefined. */
  nameProblem(name: string): string | undefined
}

export const namespaceScriptLocator = (deps: Pick<ApiDeps, 'store'>): ScriptLocator => ({
  collection: '/accounts/:accountId/workers/dispatch/namespaces/:namespace/scripts',
  async scope(c) {
    const account = c.get('account')
    const name = c.req.param('namespace')!
    const ns = await deps.store.namespaces.get(account.id, name)
    if (!ns) throw namespaceNotFound(name)
    return { accountId: account.id, namespaceId: ns.id, namespaceName: ns.name }
  },
  // wrangler's `deploy --dispatch-namespace` treats only 10092 as "not uploaded yet".
  scriptNotFound: (name, where) => namespaceScriptNotFound(name, where.namespaceName ?? ''),
  nameProblem: namespaceScriptNameProblem,
})

/** The script and its current version, or the locator's not-found error. */
export async function loadScript(
  store: Pick<Store, 'scripts'>,
  locator: ScriptLocator,
  where: LocatedScope,
  name: string,
): Promise<{ script: Script; version: ScriptVersion }> {
  const script = await store.scripts.get(where, name)
  const version = script && (await store.scripts.version(script.currentVersionId))
  if (!script || !version) throw locator.scriptNotFound(name, where)
  return { script, version }
}

/** The `:script` path parameter of the routes under a locator's collection. */
export const scriptParam = (c: ApiContext): string => c.req.param('script') ?? ''
