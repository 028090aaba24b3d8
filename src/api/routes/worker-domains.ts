import { randomUUID } from 'node:crypto'
import { Hono } from 'hono'
import type { AccountId } from '../../domain/ids.js'
import {
  invalidCustomHostname,
  malformedBody,
  scriptNotFound,
  workerDomainNotFound,
  workerDomainZoneNotFound,
} from '../../domain/errors.js'
import { hostnameInZone, hostnameProblem } from '../../shared/route-patterns.js'
import type { WorkerDomain, Zone } from '../../storage/store.js'
import { readJson, readJsonObject } from '../body.js'
import type { ApiDeps, ApiEnv } from '../context.js'
import { ok } from '../envelope.js'

/** Cloudflare's Workers Custom Domain object (wrangler reads the same shape from `/domains/records`). */
const domainView = (d: WorkerDomain) => ({
  id: d.id,
  zone_id: d.zoneId,
  zone_name: d.zoneName,
  hostname: d.hostname,
  service: d.service,
  environment: d.environment,
  enabled: true,
  previews_enabled: false,
})

interface Attach {
  hostname: string
  zone: Zone
}

/**
 * A hostname of one of the caller's zones: the zone named by id or name, else the zone it lies in
 * (the longest such name). A Custom Domain names one exact hostname, never a pattern.
 */
async function attachTarget(deps: ApiDeps, accountId: AccountId, body: Record<string, unknown>): Promise<Attach> {
  if (typeof body.hostname !== 'string') throw malformedBody("field 'hostname' must be a string")
  const hostname = body.hostname.trim().toLowerCase().replace(/\.$/, '')
  const problem = hostnameProblem(hostname)
  if (problem) throw invalidCustomHostname(problem)
  const zones = (await deps.store.zones.list({ accountId })).filter((z) => hostnameInZone(hostname, z.name))
  const named = zones.filter(
    (z) => (body.zone_id === undefined || body.zone_id === z.id) && (body.zone_name === undefined || body.zone_name === z.name),
  )
  const zone = named.sort((a, b) => b.name.length - a.name.length)[0]
  if (!zone) throw workerDomainZoneNotFound(hostname)
  return { hostname, zone }
}

async function requireAccountScript(deps: ApiDeps, accountId: AccountId, name: unknown): Promise<string> {
  if (typeof name !== 'string' || name === '') throw malformedBody("field 'service' must be a script name")
  if (!(await deps.store.scripts.get({ accountId, namespaceId: null }, name))) throw scriptNotFound()
  return name
}

/**
 * Workers Custom Domains: `/accounts/:id/workers/domains` and the calls `wrangler deploy` makes for
 * `routes = [{ pattern, custom_domain = true }]`. Workerhive has no DNS or certificates to manage, so
 * a Custom Domain is the whole hostname routed to the script at the edge, ahead of any route.
 */
export function workerDomainRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>()
  const base = '/accounts/:accountId/workers/domains'

  const listed = async (accountId: AccountId, q: (key: string) => string | undefined) =>
    (await deps.store.zones.workerDomains(accountId)).filter(
      (d) =>
        (!q('hostname') || d.hostname === q('hostname')) &&
        (!q('service') || d.service === q('service')) &&
        (!q('environment') || d.environment === q('environment')) &&
        (!q('zone_id') || d.zoneId === q('zone_id')) &&
        (!q('zone_name') || d.zoneName === q('zone_name')),
    )

  const ownDomain = async (accountId: AccountId, id: string) => {
    const d = (await deps.store.zones.workerDomains(accountId)).find((x) => x.id === id)
    if (!d) throw workerDomainNotFound()
    return d
  }

  const attach = async (accountId: AccountId, target: Attach, service: string, environment: string) => {
    await deps.store.zones.putWorkerDomain({ id: randomUUID(), zoneId: target.zone.id, hostname: target.hostname, service, environment })
    // A Custom Domain is served over HTTPS with a certificate of its own, as on Cloudflare.
    await deps.tls?.serve(target.hostname)
    return (await deps.store.zones.workerDomains(accountId)).find((d) => d.hostname === target.hostname)!
  }

  for (const path of [base, `${base}/records`]) {
    app.get(path, async (c) => {
      const domains = await listed(c.get('account').id, (k) => c.req.query(k))
      return c.json(ok(domains.map(domainView)))
    })
    app.get(`${path}/:domainId`, async (c) => {
      return c.json(ok(domainView(await ownDomain(c.get('account').id, c.req.param('domainId')))))
    })
    app.delete(`${path}/:domainId`, async (c) => {
      const accountId = c.get('account').id
      const domain = await ownDomain(accountId, c.req.param('domainId'))
      await deps.store.zones.deleteWorkerDomain(accountId, domain.id)
      await deps.tls?.drop(domain.hostname)
      await deps.edge.routesChanged()
      return c.json(ok(null))
    })
  }

  app.put(base, async (c) => {
    const accountId = c.get('account').id
    const body = await readJsonObject(c)
    const service = await requireAccountScript(deps, accountId, body.service)
    const environment = typeof body.environment === 'string' ? body.environment : 'production'
    const domain = await attach(accountId, await attachTarget(deps, accountId, body), service, environment)
    await deps.edge.routesChanged()
    return c.json(ok(domainView(domain)))
  })

  const scriptDomains = '/accounts/:accountId/workers/scripts/:scriptName/domains'

  /** wrangler's preview of a deploy (asked only on a terminal): what would be added and replaced. */
  app.post(`${scriptDomains}/changeset`, async (c) => {
    const accountId = c.get('account').id
    const service = await requireAccountScript(deps, accountId, c.req.param('scriptName'))
    const origins = await readOrigins(c)
    const current = await deps.store.zones.workerDomains(accountId)
    const added = []
    const updated = []
    for (const o of origins) {
      const target = await attachTarget(deps, accountId, o)
      const existing = current.find((d) => d.hostname === target.hostname)
      const view = domainView(existing ?? { id: '', zoneId: target.zone.id, zoneName: target.zone.name, hostname: target.hostname, service, environment: 'production', createdAt: '' })
      if (!existing) added.push(view)
      else updated.push({ ...view, modified: existing.service !== service })
    }
    const wanted = new Set(updated.map((d) => d.hostname).concat(added.map((d) => d.hostname)))
    const removed = current.filter((d) => d.service === service && !wanted.has(d.hostname)).map(domainView)
    return c.json(ok({ added, removed, updated, conflicting: [] }))
  })

  /** wrangler deploy: the script's Custom Domains become exactly these (`override_scope`). */
  app.put(`${scriptDomains}/records`, async (c) => {
    const accountId = c.get('account').id
    const service = await requireAccountScript(deps, accountId, c.req.param('scriptName'))
    const body = await readJsonObject(c)
    if (!Array.isArray(body.origins)) throw malformedBody("field 'origins' must be an array")
    const targets = []
    for (const o of body.origins as unknown[]) {
      if (typeof o !== 'object' || o === null) throw malformedBody('each origin is an object with a hostname')
      targets.push(await attachTarget(deps, accountId, o as Record<string, unknown>))
    }
    const keep = new Set(targets.map((t) => t.hostname))
    if (body.override_scope === true)
      for (const d of await deps.store.zones.workerDomains(accountId))
        if (d.service === service && !keep.has(d.hostname)) {
          await deps.store.zones.deleteWorkerDomain(accountId, d.id)
          await deps.tls?.drop(d.hostname)
        }
    const domains = []
    for (const t of targets) domains.push(await attach(accountId, t, service, 'production'))
    await deps.edge.routesChanged()
    return c.json(ok(domains.map(domainView)))
  })

  return app
}

async function readOrigins(c: Parameters<typeof readJson>[0]): Promise<Array<Record<string, unknown>>> {
  const body = await readJson(c)
  if (!Array.isArray(body) || body.some((o) => typeof o !== 'object' || o === null))
    throw malformedBody('expected a JSON array of origins: [{"hostname": "..."}]')
  return body as Array<Record<string, unknown>>
}
