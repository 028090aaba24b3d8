import { Hono } from 'hono'
import { invalidZoneSettingValue, unknownZoneSetting } from '../../domain/errors.js'
import { readJsonObject } from '../body.js'
import type { ApiDeps, ApiEnv } from '../context.js'
import { ok } from '../envelope.js'
import { ownZone } from './zones.js'

/** The zone settings the edge honours, each with Cloudflare's values and default. */
const SETTINGS: Record<string, { values: readonly string[]; default: string }> = {
  always_use_https: { values: ['on', 'off'], default: 'off' },
}

/**
 * `/zones/:zoneId/settings/:settingId` for the settings the edge honours (`always_use_https`:
 * plain-HTTP requests to the zone's hostnames and its custom hostnames get a 301 to HTTPS).
 */
export function zoneSettingRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>()
  const path = '/zones/:zoneId/settings/:settingId'
  const known = (id: string) => {
    const setting = SETTINGS[id]
    if (!setting || !Object.hasOwn(SETTINGS, id)) throw unknownZoneSetting()
    return setting
  }
  const view = (id: string, value: string) => ({ id, value, editable: true, modified_on: null })

  app.get(path, async (c) => {
    const zone = await ownZone(deps, c, c.req.param('zoneId'))
    const id = c.req.param('settingId')
    const setting = known(id)
    return c.json(ok(view(id, (await deps.store.tls.zoneSetting(zone.id, id)) ?? setting.default)))
  })

  app.patch(path, async (c) => {
    const zone = await ownZone(deps, c, c.req.param('zoneId'))
    const id = c.req.param('settingId')
    const setting = known(id)
    const { value } = await readJsonObject(c)
    if (typeof value !== 'string' || !setting.values.includes(value)) throw invalidZoneSettingValue(id)
    await deps.store.tls.setZoneSetting(zone.id, id, value)
    await deps.edge.routesChanged()
    return c.json(ok({ ...view(id, value), modified_on: new Date(deps.clock.now()).toISOString() }))
  })

  return app
}
