import { Hono } from 'hono'
import { StorageConflict, type Account, type Script } from '../../storage/store.js'
import { readJsonObject } from '../body.js'
import type { ApiContext, ApiDeps, ApiEnv } from '../context.js'
import { ok } from '../envelope.js'
import { invalidSubdomain, malformedBody, scriptNotFound, subdomainAvailable, subdomainTaken } from '../../domain/errors.js'

/** The rule wrangler checks before registering a subdomain; one DNS label. */
const SUBDOMAIN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/

/**
 * The workers.dev-style default hostname of an account script: `<script>.<subdomain>.<edge domain>`
 * (Cloudflare's is `<script>.<subdomain>.workers.dev`).
 */
export const defaultHostname = (script: string, subdomain: string, edgeDomain: string): string =>
  `${script}.${subdomain}.${edgeDomain}`

/** Where the edge answers for that hostname. Plain HTTP: the edge terminates no TLS. */
export function defaultUrl(deps: Pick<ApiDeps, 'config'>, script: string, account: Account): string {
  const { edgeDomain, edgePort } = deps.config
  const port = edgePort === 80 || edgePort === 0 ? '' : `:${edgePort}`
  return `http://${defaultHostname(script, account.subdomain, edgeDomain)}${port}/`
}

export const scriptSubdomainView = (s: Script) => ({
  enabled: s.subdomainEnabled,
  previews_enabled: s.previewsEnabled,
})

function requireSubdomain(value: unknown): string {
  if (typeof value !== 'string') throw malformedBody("field 'subdomain' must be a string")
  if (!SUBDOMAIN.test(value)) throw invalidSubdomain(value)
  return value
}

/**
 * The account's subdomain (`/workers/subdomain`, `/workers/subdomains/:name`) and each account
 * script's switch for its default hostname (`/workers/scripts/:name/subdomain`).
 */
export function subdomainRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>()
  const account = '/accounts/:accountId/workers'

  app.get(`${account}/subdomain`, (c) => c.json(ok({ subdomain: c.get('account').subdomain })))

  app.put(`${account}/subdomain`, async (c) => {
    const body = await readJsonObject(c)
    const subdomain = requireSubdomain(body.subdomain)
    const me = c.get('account')
    if (subdomain === me.subdomain) return c.json(ok({ subdomain }))
    const holder = await deps.store.accounts.findBySubdomain(subdomain)
    if (holder) throw subdomainTaken(subdomain)
    try {
      await deps.store.accounts.setSubdomain(me.id, subdomain)
    } catch (e) {
      if (e instanceof StorageConflict) throw subdomainTaken(subdomain)
      throw e
    }
    // Every default hostname of the account changed.
    await deps.edge.routesChanged()
    return c.json(ok({ subdomain }))
  })

  // Availability check. Cloudflare answers a free name with error 10032 ("subdomain_unavailable",
  // which wrangler and the dashboard read as "nobody has it") and a taken one with 10031.
  app.get(`${account}/subdomains/:name`, async (c) => {
    const name = requireSubdomain(c.req.param('name'))
    if (await deps.store.accounts.findBySubdomain(name)) throw subdomainTaken(name)
    throw subdomainAvailable(name)
  })

  const script = `${account}/scripts/:scriptName/subdomain`
  const scope = (accountId: Account['id']) => ({ accountId, namespaceId: null })
  const setFlags = (c: ApiContext, flags: { enabled: boolean; previewsEnabled: boolean }) =>
    deps.store.scripts.setSubdomain(scope(c.get('account').id), c.req.param('scriptName') ?? '', flags)

  // The switch lives in the script's descriptor, which the edge caches per script.
  const scriptEdgeChanged = (s: { accountId: string; name: string }) =>
    deps.edge.scriptChanged({ accountId: s.accountId, namespaceId: null, name: s.name })

  app.get(script, async (c) => {
    const found = await deps.store.scripts.get(scope(c.get('account').id), c.req.param('scriptName'))
    if (!found) throw scriptNotFound()
    return c.json(ok(scriptSubdomainView(found)))
  })

  // wrangler sends previews_enabled only when the config sets preview_urls; like Cloudflare, it then
  // follows `enabled`.
  app.post(script, async (c) => {
    const body = await readJsonObject(c)
    if (typeof body.enabled !== 'boolean') throw malformedBody("field 'enabled' must be a boolean")
    if (body.previews_enabled !== undefined && typeof body.previews_enabled !== 'boolean')
      throw malformedBody("field 'previews_enabled' must be a boolean")
    const flags = { enabled: body.enabled, previewsEnabled: body.previews_enabled ?? body.enabled }
    const updated = await setFlags(c, flags)
    if (!updated) throw scriptNotFound()
    await scriptEdgeChanged(updated)
    return c.json(ok(scriptSubdomainView(updated)))
  })

  app.delete(script, async (c) => {
    const updated = await setFlags(c, { enabled: false, previewsEnabled: false })
    if (!updated) throw scriptNotFound()
    await scriptEdgeChanged(updated)
    return c.json(ok(scriptSubdomainView(updated)))
  })

  return app
}
