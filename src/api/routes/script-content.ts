import { Hono } from 'hono'
import { bindingsProblem } from '../../bindings/index.js'
import type { ModuleRef, Store } from '../../storage/store.js'
import type { ApiDeps, ApiEnv } from '../context.js'
import { ok } from '../envelope.js'
import { internalError, scriptValidation } from '../../domain/errors.js'
import { notifyEdge, withFreshScript } from '../scripts/change.js'
import { pruneVersions } from '../quotas.js'
import { loadScript, namespaceScriptLocator, scriptParam, type ScriptLocator } from '../scripts/locator.js'
import { nextVersion } from '../scripts/next-version.js'
import { scriptView } from '../scripts/views.js'
import { contentTypeOf } from '../upload/module-types.js'
import { parseScriptUpload } from '../upload/parse.js'
import { checkStartup } from '../upload/startup.js'

/** Cloudflare names the main module of a downloaded script in this header. */
const ENTRYPOINT_HEADER = 'cf-entrypoint'

/** `.../scripts/:script/content`: download the code as uploaded, or replace only the code. */
export function scriptContentRoutes(deps: ApiDeps, locator: ScriptLocator): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>()
  const path = `${locator.collection}/:script/content`

  // One module comes back raw with its content type; several come back as multipart, one part each.
  app.get(path, async (c) => {
    const where = await locator.scope(c)
    const { version } = await loadScript(deps.store, locator, where, scriptParam(c))
    const modules = await Promise.all(version.modules.map((m) => withContent(deps.store, m)))
    const headers = { [ENTRYPOINT_HEADER]: version.mainModule }
    const only = modules.length === 1 ? modules[0] : undefined
    if (only) {
      return new Response(only.content, { headers: { ...headers, 'content-type': contentTypeOf(only.type) } })
    }
    const form = new FormData()
    for (const m of modules) {
      form.append(m.name, new Blob([m.content], { type: contentTypeOf(m.type) }), m.name)
    }
    const body = new Response(form)
    const contentType = body.headers.get('content-type')!
    return new Response(body.body, { headers: { ...headers, 'content-type': contentType } })
  })

  // Replaces the modules; bindings, compatibility settings and everything else stay.
  app.put(path, async (c) => {
    const where = await locator.scope(c)
    const name = scriptParam(c)
    const upload = await parseScriptUpload(c.req.raw, { maxBytes: deps.config.maxScriptBytes })
    const { script, version } = await withFreshScript(name, async () => {
      const { version: current } = await loadScript(deps.store, locator, where, name)
      const parts = new Set(upload.modules.map((m) => m.name))
      const ctx = { accountId: where.accountId, store: deps.store, parts }
      const problem = await bindingsProblem(current.bindings, ctx)
      if (problem) throw scriptValidation(problem)
      const code = { format: upload.format, mainModule: upload.mainModule, modules: upload.modules, handlers: upload.handlers }
      const candidate = { ...nextVersion(current, code), modules: upload.modules }
      const handlers = await checkStartup(deps.startup, { accountId: where.accountId, namespaceId: where.namespaceId, name, version: candidate })
      return deps.store.scripts.publish({
        scope: where,
        name,
        version: nextVersion(current, { ...code, handlers: handlers ?? upload.handlers }),
        ifCurrent: current.id,
      })
    })
    await pruneVersions(deps, script.id)
    await notifyEdge(deps, where, name)
    return c.json(ok(scriptView(script, version)))
  })

  return app
}

async function withContent(store: Store, m: ModuleRef): Promise<ModuleRef & { content: Uint8Array }> {
  const content = await store.scripts.moduleContent(m.hash)
  // Blobs are written in the same transaction as the version that names them.
  if (!content) throw internalError()
  return { ...m, content }
}

export const namespaceScriptContentRoutes = (deps: ApiDeps): Hono<ApiEnv> =>
  scriptContentRoutes(deps, namespaceScriptLocator(deps))
