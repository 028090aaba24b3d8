import { Hono } from 'hono'
import { accountScriptNameProblem } from '../../domain/names.js'
import type { Script, ScriptScope, ScriptVersion } from '../../storage/store.js'
import type { ApiContext, ApiDeps, ApiEnv } from '../context.js'
import { ok } from '../envelope.js'
import { internalError, scriptNotFound } from '../../domain/errors.js'
import { deleteScript, notifyEdge } from '../scripts/change.js'
import { loadScript, scriptParam, type LocatedScope, type ScriptLocator } from '../scripts/locator.js'
import { publishUpload } from '../scripts/upload.js'
import { scriptView } from '../scripts/views.js'
import { contentTypeOf } from '../upload/module-types.js'
import { tagFilterParam } from '../scripts/tag-filter.js'
import { scriptContentRoutes } from './script-content.js'
import { scriptSecretRoutes } from './script-secrets.js'
import { scriptSettingsRoutes } from './script-settings.js'
import { scriptTagRoutes } from './script-tags.js'

/** Account-level Workers (the platform's dispatch Worker is one): `/accounts/:a/workers/scripts`. */
export const accountScriptLocator = (): ScriptLocator => ({
  collection: '/accounts/:accountId/workers/scripts',
  async scope(c) {
    return { accountId: c.get('account').id, namespaceId: null, namespaceName: null }
  },
  // wrangler reads 10007 here as "this Worker does not exist yet": a first deploy.
  scriptNotFound: () => scriptNotFound(),
  nameProblem: accountScriptNameProblem,
})

/** Who changed the script, as Cloudflare records it: wrangler says who it is in its User-Agent. */
export const changeSource = (c: ApiContext): string =>
  /^wrangler\//i.test(c.req.header('user-agent') ?? '') ? 'wrangler' : 'api'

export const accountScope = (c: ApiContext): LocatedScope => ({
  accountId: c.get('account').id,
  namespaceId: null,
  namespaceName: null,
})

/**
 * Upload, download, list and delete account-level Workers, and `GET /workers/services/:name`, the
 * endpoint (absent from the OpenAPI) wrangler's deploy starts with.
 */
export function accountScriptRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>()
  const locator = accountScriptLocator()
  const base = locator.collection

  const current = async (script: Script): Promise<ScriptVersion> => {
    const version = await deps.store.scripts.version(script.currentVersionId)
    // A script row always names a stored version; the store writes both in one transaction.
    if (!version) throw internalError()
    return version
  }

  // `wrangler deploy` of a new Worker, `wrangler secret put` on a missing one (a placeholder), the
  // SDK's `workers.scripts.update`. `excludeScript` needs nothing: the answer never echoes the code.
  app.put(`${base}/:script`, async (c) => {
    const source = changeSource(c)
    const { script, version, startupTimeMs } = await publishUpload(deps, c, locator, accountScope(c), scriptParam(c), (v) => ({
      ...v,
      source,
      annotations: { ...v.annotations, 'workers/triggered_by': 'upload' },
    }))
    return c.json(ok({ ...scriptView(script, version), startup_time_ms: startupTimeMs, deployment_id: version.id }))
  })

  // The main module as uploaded, not an envelope (the SDK's `workers.scripts.get` reads raw text).
  app.get(`${base}/:script`, async (c) => {
    const { version } = await loadScript(deps.store, locator, accountScope(c), scriptParam(c))
    const main = version.modules.find((m) => m.name === version.mainModule)
    const content = main && (await deps.store.scripts.moduleContent(main.hash))
    if (!main || !content) throw internalError()
    return new Response(content, { headers: { 'content-type': contentTypeOf(main.type) } })
  })

  // `force` is accepted; nothing in Workerhive refuses to let a script go. Its routes go with it, as
  // a route to a script that no longer exists would only fail at the edge.
  app.delete(`${base}/:script`, async (c) => {
    const where = accountScope(c)
    const name = scriptParam(c)
    if (!(await deleteScript(deps, where, name))) throw scriptNotFound()
    const routes = await deps.store.zones.allRoutes()
    const hadRoutes = routes.some((r) => r.accountId === where.accountId && r.script === name)
    if (hadRoutes) {
      await deps.store.zones.replaceScriptRoutes(where.accountId, name, [])
      await deps.edge.routesChanged()
    }
    await notifyEdge(deps, where, name)
    return c.json(ok(null))
  })

  // A single page (the SDK reads `result` once): every account script matching `?tags=`.
  app.get(base, async (c) => {
    const where: ScriptScope = accountScope(c)
    const filter = tagFilterParam(c.req.query('tags') || undefined)
    const scripts: Script[] = []
    for (let cursor = ''; ; ) {
      const page = await deps.store.scripts.list(where, { filter, cursor: cursor || undefined, limit: 1000 })
      scripts.push(...page.scripts)
      if (!page.cursor) break
      cursor = page.cursor
    }
    return c.json(ok(await Promise.all(scripts.map(async (s) => scriptView(s, await current(s))))))
  })

  // wrangler asks this first on every deploy: 10007 means a first deploy; otherwise it reads
  // `default_environment.script` (tag, tags, last_deployed_from). "dash" would make it download the
  // remote config and "api" would make it warn before overwriting, so the Worker reports "wrangler".
  app.get('/accounts/:accountId/workers/services/:script', async (c) => {
    const { script, version } = await loadScript(deps.store, locator, accountScope(c), scriptParam(c))
    return c.json(
      ok({
        id: script.name,
        created_on: script.createdOn,
        modified_on: script.modifiedOn,
        default_environment: {
          environment: 'production',
          created_on: script.createdOn,
          modified_on: script.modifiedOn,
          script: { ...scriptView(script, version), last_deployed_from: 'wrangler' },
        },
        environments: [
          { environment: 'production', created_on: script.createdOn, modified_on: script.modifiedOn },
        ],
      }),
    )
  })

  return app
}

// Tags, secrets, settings and content of account Workers: the same routes as namespace scripts.
export const accountScriptTagRoutes = (deps: ApiDeps) => scriptTagRoutes(deps, accountScriptLocator())
export const accountScriptSecretRoutes = (deps: ApiDeps) => scriptSecretRoutes(deps, accountScriptLocator())
export const accountScriptSettingsRoutes = (deps: ApiDeps) => scriptSettingsRoutes(deps, accountScriptLocator())
export const accountScriptContentRoutes = (deps: ApiDeps) => scriptContentRoutes(deps, accountScriptLocator())
