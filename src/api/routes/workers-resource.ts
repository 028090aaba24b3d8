import { Hono } from 'hono'
import type { ScriptId } from '../../domain/ids.js'
import type { Account, Script } from '../../storage/store.js'
import { intParam } from '../body.js'
import type { ApiDeps, ApiEnv } from '../context.js'
import { ok, paginate } from '../envelope.js'
import { scriptNotFound } from '../../domain/errors.js'
import { defaultUrl } from './subdomain.js'

/**
 * Cloudflare's newer "Workers" resource (`/workers/workers/:id`, the SDK's `workers.beta.workers`).
 * wrangler reads it after every deploy for `subdomain.enabled` and `previews_enabled`, and uses
 * `subdomain.url` as the address it prints; a result without `subdomain` crashes it.
 */
export function workersResourceRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>()
  const base = '/accounts/:accountId/workers/workers'

  const view = async (s: Script, account: Account) => {
    const latest = await deps.store.scripts.activeDeployment(s.id)
    return {
      id: s.id,
      name: s.name,
      created_on: s.createdOn,
      updated_on: s.modifiedOn,
      deployed_on: latest?.createdOn ?? null,
      logpush: s.settings.logpush,
      observability: s.settings.observability ?? { enabled: false },
      tags: s.tags,
      tail_consumers: (s.settings.tailConsumers ?? []).map((t) => ({ name: String(t.service ?? t.name ?? '') })),
      references: { dispatch_namespace_outbounds: [], domains: [], durable_objects: [], queues: [], workers: [] },
      subdomain: {
        enabled: s.subdomainEnabled,
        previews_enabled: s.previewsEnabled,
        url: defaultUrl(deps, s.name, account),
      },
    }
  }

  app.get(base, async (c) => {
    const account = c.get('account')
    const page = intParam(c.req.query('page'), 1, 1, 1e9)
    const perPage = intParam(c.req.query('per_page'), 50, 1, 100)
    const scripts: Script[] = []
    for (let cursor = ''; ; ) {
      const scope = { accountId: account.id, namespaceId: null }
      const batch = await deps.store.scripts.list(scope, { cursor, limit: 1000 })
      scripts.push(...batch.scripts)
      if (!batch.cursor) break
      cursor = batch.cursor
    }
    const { items, info } = paginate(scripts, page, perPage)
    return c.json(ok(await Promise.all(items.map((s) => view(s, account))), info))
  })

  // wrangler passes the script's name; the SDK passes the id. Both are accepted.
  app.get(`${base}/:worker`, async (c) => {
    const account = c.get('account')
    const key = c.req.param('worker')
    const script =
      (await deps.store.scripts.get({ accountId: account.id, namespaceId: null }, key)) ??
      (await deps.store.scripts.getById(key as ScriptId))
    if (!script || script.accountId !== account.id || script.namespaceId !== null) throw scriptNotFound()
    return c.json(ok(await view(script, account)))
  })

  return app
}
