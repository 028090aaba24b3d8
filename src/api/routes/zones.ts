import { Hono } from 'hono'
import type { ZoneId } from '../../domain/ids.js'
import { hostnameInZone, hostnameProblem } from '../../shared/route-patterns.js'
import { StorageConflict, type Account, type Zone } from '../../storage/store.js'
import { intParam, readJsonObject } from '../body.js'
import type { ApiContext, ApiDeps, ApiEnv } from '../context.js'
import { ok, paginate } from '../envelope.js'
import {
  forbidden,
  invalidZoneName,
  malformedBody,
  zoneExists,
  zoneNotFound,
  zoneNotRegistrable,
} from '../../domain/errors.js'
import { unregistrableZoneName } from '../../domain/zone-names.js'

/**
 * Cloudflare's zone object with the fields clients read. Workerhive has no DNS: a zone is the set of
 * hostnames whose requests reach the edge and whose routes map them to scripts, so it is always
 * `active`, a `full` setup, with no name servers.
 */
export const zoneView = (z: Zone, account: Account) => ({
  id: z.id,
  name: z.name,
  status: 'active',
  paused: false,
  type: 'full',
  development_mode: 0,
  name_servers: [] as string[],
  original_name_servers: null,
  original_registrar: null,
  original_dnshost: null,
  account: { id: account.id, name: account.name },
  owner: { id: account.id, type: 'organization', name: account.name },
  plan: { id: 'workerhive', name: 'Workerhive', price: 0, currency: 'USD', frequency: '', is_subscribed: true },
  permissions: ['#worker:read', '#worker:edit', '#zone:read', '#zone:edit'],
  meta: { step: 4, cdn_only: false, dns_only: false, foundation_dns: false, phishing_detected: false },
  created_on: z.createdOn,
  modified_on: z.createdOn,
  activated_on: z.createdOn,
})

/** Zone names are compared lowercased and without the root's trailing dot, like hostnames. */
export const normaliseZoneName = (name: string): string => name.trim().toLowerCase().replace(/\.$/, '')

/** The caller's zone with this id. A foreign zone answers exactly like a missing one. */
export async function ownZone(deps: ApiDeps, c: ApiContext, id: string): Promise<Zone> {
  const zone = await deps.store.zones.get(id as ZoneId)
  if (!zone || zone.accountId !== c.get('account').id) throw zoneNotFound()
  return zone
}

/**
 * A zone name: a hostname of at least two labels, outside the edge domain. Hostnames under the edge
 * domain are the default hostnames `<script>.<account subdomain>.<edge domain>` the platform hands
 * out (Cloudflare's workers.dev, which no account can add as a zone either); a zone there would let
 * one account's routes take another account's Workers' hostnames.
 */
function requireZoneName(value: unknown, edgeDomain: string): string {
  if (typeof value !== 'string') throw malformedBody("field 'name' must be a string")
  const name = normaliseZoneName(value)
  const problem =
    hostnameProblem(name) ??
    (name.includes('.') ? undefined : 'a zone name has at least two labels') ??
    (hostnameInZone(name, normaliseZoneName(edgeDomain))
      ? `names under ${edgeDomain} are the platform's default hostnames`
      : undefined)
  if (problem) throw invalidZoneName(value, problem)
  if (unregistrableZoneName(name)) throw zoneNotRegistrable(name)
  return name
}

/** Cloudflare's `name` filter: an exact name, or `contains:`, `starts_with:`, `ends_with:` a string. */
function nameFilter(raw: string | undefined): (name: string) => boolean {
  if (raw === undefined || raw === '') return () => true
  const [op, ...rest] = raw.split(':')
  const arg = normaliseZoneName(rest.join(':'))
  if (op === 'contains' && rest.length) return (n) => n.includes(arg)
  if (op === 'starts_with' && rest.length) return (n) => n.startsWith(arg)
  if (op === 'ends_with' && rest.length) return (n) => n.endsWith(arg)
  const exact = normaliseZoneName(raw)
  return (n) => n === exact
}

/** `/zones[/:zoneId]`: the domains the platform serves. */
export function zoneRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>()

  app.post('/zones', async (c) => {
    const body = await readJsonObject(c)
    const name = requireZoneName(body.name, deps.config.edgeDomain)
    const account = c.get('account')
    if (body.account !== undefined) {
      if (typeof body.account !== 'object' || body.account === null)
        throw malformedBody("field 'account' must be an object with an 'id'")
      const id = (body.account as Record<string, unknown>).id
      if (id !== undefined && id !== account.id) throw forbidden()
    }
    if (body.type !== undefined && body.type !== 'full')
      throw malformedBody("Workerhive zones are 'full' zones; omit 'type' or send 'full'")
    // Nothing proves who owns a domain here (Cloudflare checks name servers), so hostnames stay with
    // the account that claimed them first: no zone inside, or around, another account's zone. The
    // refusal reads like one for any unregistrable name, so it never tells that the name is held.
    const overlaps = (z: Zone) => hostnameInZone(name, z.name) || hostnameInZone(z.name, name)
    const all = await deps.store.zones.list({})
    if (all.some((z) => z.accountId !== account.id && overlaps(z))) throw zoneNotRegistrable(name)
    if (all.some((z) => z.accountId === account.id && z.name === name)) throw zoneExists(name)
    try {
      const zone = await deps.store.zones.create(account.id, name)
      // A new zone can take hostnames away from a parent zone's routes, so the edge must reload.
      await deps.edge.routesChanged()
      return c.json(ok(zoneView(zone, account)))
    } catch (e) {
      // A race with another create: whose name it was is not the caller's business either.
      if (e instanceof StorageConflict) {
        const mine = (await deps.store.zones.list({ accountId: account.id })).some((z) => z.name === name)
        throw mine ? zoneExists(name) : zoneNotRegistrable(name)
      }
      throw e
    }
  })

  app.get('/zones', async (c) => {
    const account = c.get('account')
    const q = (key: string) => c.req.query(key)
    const page = intParam(q('page'), 1, 1, 1e9)
    const perPage = intParam(q('per_page'), 20, 5, 1000)
    const wanted = nameFilter(q('name'))
    const status = q('status')
    const accountId = q('account.id')
    const accountName = q('account.name')
    // Every filter narrows to the caller's own zones: another account's id simply finds nothing.
    const visible =
      (accountId !== undefined && accountId !== account.id) ||
      (accountName !== undefined && accountName !== account.name) ||
      (status !== undefined && status !== 'active')
        ? []
        : (await deps.store.zones.list({ accountId: account.id })).filter((z) => wanted(z.name))
    if (q('direction') === 'desc') visible.reverse()
    const { items, info } = paginate(visible, page, perPage)
    return c.json(ok(items.map((z) => zoneView(z, account)), info))
  })

  app.get('/zones/:zoneId', async (c) => {
    const zone = await ownZone(deps, c, c.req.param('zoneId'))
    return c.json(ok(zoneView(zone, c.get('account'))))
  })

  app.delete('/zones/:zoneId', async (c) => {
    const zone = await ownZone(deps, c, c.req.param('zoneId'))
    await deps.store.zones.delete(zone.id)
    await deps.edge.routesChanged()
    return c.json(ok({ id: zone.id }))
  })

  return app
}
