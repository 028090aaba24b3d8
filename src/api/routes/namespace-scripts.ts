import { Hono } from 'hono'
import type { Script } from '../../storage/store.js'
import { intParam } from '../body.js'
import type { ApiDeps, ApiEnv } from '../context.js'
import { ok } from '../envelope.js'
import { invalidInput } from '../../domain/errors.js'
import { deleteScript, notifyEdge } from '../scripts/change.js'
import { loadScript, namespaceScriptLocator, type LocatedScope } from '../scripts/locator.js'
import { tagFilterParam } from '../scripts/tag-filter.js'
import { publishUpload } from '../scripts/upload.js'
import { scriptView } from '../scripts/views.js'

/** Cloudflare's cap on one page of a script list (and on one bulk delete). */
const MAX_PAGE = 1000

/** `/accounts/:a/workers/dispatch/namespaces/:ns/scripts[/:script]`: upload, details, list, delete. */
export function namespaceScriptRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>()
  const locator = namespaceScriptLocator(deps)
  const base = locator.collection

  const listItem = async (where: LocatedScope, script: Script) => {
    const version = await deps.store.scripts.version(script.currentVersionId)
    return {
      created_on: script.createdOn,
      modified_on: script.modifiedOn,
      dispatch_namespace: where.namespaceName,
      script: version ? scriptView(script, version) : null,
    }
  }

  // Upload. `excludeScript` (wrangler) needs nothing: the answer never echoes the code.
  app.put(`${base}/:script`, async (c) => {
    const where = await locator.scope(c)
    const { script, version, startupTimeMs } = await publishUpload(deps, c, locator, where, c.req.param('script'))
    return c.json(ok({ ...scriptView(script, version), startup_time_ms: startupTimeMs, deployment_id: version.id }))
  })

  app.get(`${base}/:script`, async (c) => {
    const where = await locator.scope(c)
    const { script } = await loadScript(deps.store, locator, where, c.req.param('script'))
    return c.json(ok(await listItem(where, script)))
  })

  // `force` is accepted: nothing in Workerhive refers to a namespace script in a way that blocks deletion.
  app.delete(`${base}/:script`, async (c) => {
    const where = await locator.scope(c)
    const name = c.req.param('script')
    if (!(await deleteScript(deps, where, name))) throw locator.scriptNotFound(name, where)
    await notifyEdge(deps, where, name)
    return c.json(ok(null))
  })

  app.get(base, async (c) => {
    const where = await locator.scope(c)
    const page = await deps.store.scripts.list(where, {
      filter: tagFilterParam(c.req.query('tags')),
      cursor: c.req.query('cursor') || undefined,
      limit: intParam(c.req.query('limit'), MAX_PAGE, 1, MAX_PAGE),
    })
    const items = await Promise.all(page.scripts.map((s) => listItem(where, s)))
    return c.json(ok(items, { count: items.length, cursor: page.cursor }))
  })

  // Deletes every script matching the filter. Without a filter this would empty the namespace, which
  // no client means by it, so the filter is required.
  app.delete(base, async (c) => {
    const where = await locator.scope(c)
    const filter = tagFilterParam(c.req.query('tags'))
    if (!filter) throw invalidInput('Deleting scripts by tag needs a filter: ?tags=<tag>:yes,<tag>:no')
    const limit = intParam(c.req.query('limit'), MAX_PAGE, 1, MAX_PAGE)
    const { deleted, hasMore } = await deps.store.scripts.deleteByTags(where, filter, limit)
    for (const d of deleted) await notifyEdge(deps, where, d.name)
    return c.json(
      ok({ deleted: deleted.map((d) => ({ id: d.name })), deleted_count: deleted.length, has_more: hasMore }),
    )
  })

  return app
}
