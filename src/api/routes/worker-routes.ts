import { Hono } from 'hono'
import type { AccountId, ZoneId } from '../../domain/ids.js'
import {
  hostnameInZone,
  parseRoutePattern,
  patternHostLiteral,
  patternInZone,
  type RoutePattern,
} from '../../shared/route-patterns.js'
import { StorageConflict, type Route, type Zone } from '../../storage/store.js'
import { readJson, readJsonObject } from '../body.js'
import type { ApiContext, ApiDeps, ApiEnv } from '../context.js'
import { ok } from '../envelope.js'
import {
  invalidRoutePattern,
  malformedBody,
  routeConflict,
  routeNotFound,
  routeOutsideZone,
  routeZoneUnknown,
  scriptNotFound,
} from '../../domain/errors.js'
import { normaliseZoneName, ownZone } from './zones.js'
import { requireRouteRoom } from '../quotas.js'

/** A route as Cloudflare shows it; `script` is absent on routes that exclude their pattern from Workers. */
export const routeView = (r: Route) => ({
  id: r.id,
  pattern: r.pattern,
  ...(r.script ? { script: r.script } : {}),
})

/**
 * Parses a pattern and checks that it lies in the zone and reaches no hostname of another account's
 * zone (`foreign`); answers the stored (normalised) form. Zones of two accounts never nest since
 * zone creation refuses it, but zones stored before that rule may: a route must not capture them.
 * The refusal is the one for any pattern outside the zone, so it tells nothing about the other zone.
 */
export function zonePattern(raw: unknown, zone: Zone, foreign: Zone[] = []): RoutePattern {
  if (typeof raw !== 'string') throw malformedBody("field 'pattern' must be a string")
  const parsed = parseRoutePattern(raw)
  if (!parsed.ok) throw invalidRoutePattern(raw, parsed.problem)
  if (!patternInZone(parsed.pattern, zone.name)) throw routeOutsideZone(raw)
  if (foreign.some((z) => reachesZone(parsed.pattern, z.name))) throw routeOutsideZone(raw)
  return parsed.pattern
}

/**
 * Whether a pattern can match some hostname of the zone: its host lies there, or its wildcard covers
 * it. A bare `*` host stands for the hosts of its own zone only, so it reaches no other zone.
 */
const reachesZone = (p: RoutePattern, zone: string): boolean =>
  p.host !== '' && (patternInZone(p, zone) || (p.hostWildcard && hostnameInZone(zone, patternHostLiteral(p))))

/** Zones of other accounts, which no route of the caller may reach. */
const foreignZones = async (deps: ApiDeps, accountId: AccountId): Promise<Zone[]> =>
  (await deps.store.zones.list({})).filter((z) => z.accountId !== accountId)

async function requireAccountScript(deps: ApiDeps, accountId: AccountId, name: string): Promise<void> {
  if (!(await deps.store.scripts.get({ accountId, namespaceId: null }, name))) throw scriptNotFound()
}

/** The optional `script` of a route body: an account-level script of the caller, or none. */
async function routeScript(deps: ApiDeps, c: ApiContext, value: unknown): Promise<string | null> {
  if (value === undefined || value === null || value === '') return null
  if (typeof value !== 'string') throw malformedBody("field 'script' must be a string")
  await requireAccountScript(deps, c.get('account').id, value)
  return value
}

/** `/zones/:zoneId/workers/routes[/:routeId]` and the per-script routes wrangler replaces on deploy. */
export function workerRouteRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>()
  const base = '/zones/:zoneId/workers/routes'

  const findRoute = async (zone: Zone, id: string): Promise<Route> => {
    const route = (await deps.store.zones.routes(zone.id)).find((r) => r.id === id)
    if (!route) throw routeNotFound()
    return route
  }

  app.get(base, async (c) => {
    const zone = await ownZone(deps, c, c.req.param('zoneId'))
    return c.json(ok((await deps.store.zones.routes(zone.id)).map(routeView)))
  })

  app.post(base, async (c) => {
    const zone = await ownZone(deps, c, c.req.param('zoneId'))
    const body = await readJsonObject(c)
    const pattern = zonePattern(body.pattern, zone, await foreignZones(deps, zone.accountId))
    const script = await routeScript(deps, c, body.script)
    await requireRouteRoom(deps, zone, 1)
    try {
      const route = await deps.store.zones.createRoute(zone.id, pattern.source, script)
      await deps.edge.routesChanged()
      return c.json(ok(routeView(route)))
    } catch (e) {
      if (e instanceof StorageConflict) throw routeConflict(pattern.source)
      throw e
    }
  })

  app.get(`${base}/:routeId`, async (c) => {
    const zone = await ownZone(deps, c, c.req.param('zoneId'))
    return c.json(ok(routeView(await findRoute(zone, c.req.param('routeId')))))
  })

  app.put(`${base}/:routeId`, async (c) => {
    const zone = await ownZone(deps, c, c.req.param('zoneId'))
    const id = c.req.param('routeId')
    await findRoute(zone, id)
    const body = await readJsonObject(c)
    const pattern = zonePattern(body.pattern, zone, await foreignZones(deps, zone.accountId))
    const script = await routeScript(deps, c, body.script)
    try {
      const route = await deps.store.zones.updateRoute(zone.id, id, pattern.source, script)
      if (!route) throw routeNotFound()
      await deps.edge.routesChanged()
      return c.json(ok(routeView(route)))
    } catch (e) {
      if (e instanceof StorageConflict) throw routeConflict(pattern.source)
      throw e
    }
  })

  app.delete(`${base}/:routeId`, async (c) => {
    const zone = await ownZone(deps, c, c.req.param('zoneId'))
    const id = c.req.param('routeId')
    if (!(await deps.store.zones.deleteRoute(zone.id, id))) throw routeNotFound()
    await deps.edge.routesChanged()
    return c.json(ok({ id }))
  })

  const scriptRoutes = '/accounts/:accountId/workers/scripts/:scriptName/routes'

  app.get(scriptRoutes, async (c) => {
    const accountId = c.get('account').id
    const script = c.req.param('scriptName')
    await requireAccountScript(deps, accountId, script)
    const zones = new Map((await deps.store.zones.list({ accountId })).map((z) => [z.id, z]))
    const routes = (await deps.store.zones.allRoutes()).filter(
      (r) => r.accountId === accountId && r.script === script && zones.has(r.zoneId),
    )
    return c.json(ok(routes.map((r) => scriptRouteView(r, zones.get(r.zoneId)!))))
  })

  // wrangler's deploy: the body replaces every route of the script. Each entry names its zone by
  // `zone_id` or `zone_name`, or neither (then the zone is inferred from the pattern's host).
  app.put(scriptRoutes, async (c) => {
    const accountId = c.get('account').id
    const script = c.req.param('scriptName')
    const body = await readJson(c)
    if (!Array.isArray(body))
      throw malformedBody('expected a JSON array of routes: [{"pattern": "...", "zone_name": "..."}]')
    await requireAccountScript(deps, accountId, script)
    const zones = await deps.store.zones.list({ accountId })
    const foreign = await foreignZones(deps, accountId)

    const wanted = new Map<string, { zone: Zone; pattern: RoutePattern }>()
    for (const entry of body) {
      const route = typeof entry === 'string' ? { pattern: entry } : entry
      if (typeof route !== 'object' || route === null)
        throw malformedBody('each route is an object with a pattern')
      const fields = route as Record<string, unknown>
      const zone = zoneOfScriptRoute(zones, fields)
      const pattern = zonePattern(fields.pattern, zone, foreign)
      wanted.set(`${zone.id} ${pattern.source}`, { zone, pattern })
    }

    // A pattern another script (or an exclusion route) holds is a conflict; nothing changes then.
    for (const zone of new Set([...wanted.values()].map((w) => w.zone))) {
      for (const existing of await deps.store.zones.routes(zone.id)) {
        if (existing.script !== script && wanted.has(`${zone.id} ${existing.pattern}`))
          throw routeConflict(existing.pattern)
      }
      // Routes this script keeps or gains in the zone, next to the other routes there.
      const others = (await deps.store.zones.routes(zone.id)).filter((r) => r.script !== script).length
      const mine = [...wanted.values()].filter((w) => w.zone === zone).length
      await requireRouteRoom(deps, zone, mine, others)
    }
    try {
      const routes = await deps.store.zones.replaceScriptRoutes(
        accountId,
        script,
        [...wanted.values()].map((w) => ({ zoneId: w.zone.id, pattern: w.pattern.source })),
      )
      await deps.edge.routesChanged()
      const byId = new Map(zones.map((z) => [z.id, z]))
      return c.json(ok(routes.map((r) => scriptRouteView(r, byId.get(r.zoneId)!))))
    } catch (e) {
      if (e instanceof StorageConflict) throw routeConflict(e.what.replace(/^route /, ''))
      throw e
    }
  })

  return app
}

const scriptRouteView = (r: Route, zone: Zone) => ({ ...routeView(r), zone_id: zone.id, zone_name: zone.name })

/** The zone a script route names, or the caller's zone that owns its host (the longest name wins). */
function zoneOfScriptRoute(zones: Zone[], route: Record<string, unknown>): Zone {
  if (route.zone_id !== undefined && route.zone_id !== null) {
    const zone = zones.find((z) => z.id === (route.zone_id as ZoneId))
    if (!zone) throw routeZoneUnknown(String(route.zone_id))
    return zone
  }
  if (route.zone_name !== undefined && route.zone_name !== null) {
    if (typeof route.zone_name !== 'string') throw malformedBody("field 'zone_name' must be a string")
    const name = normaliseZoneName(route.zone_name)
    const zone = zones.find((z) => z.name === name)
    if (!zone) throw routeZoneUnknown(route.zone_name)
    return zone
  }
  if (typeof route.pattern !== 'string') throw malformedBody("field 'pattern' must be a string")
  const parsed = parseRoutePattern(route.pattern)
  if (!parsed.ok) throw invalidRoutePattern(route.pattern, parsed.problem)
  const host = patternHostLiteral(parsed.pattern)
  const owner = zones
    .filter((z) => hostnameInZone(host, z.name))
    .sort((a, b) => b.name.length - a.name.length)[0]
  if (!owner) throw routeZoneUnknown(route.pattern)
  return owner
}
