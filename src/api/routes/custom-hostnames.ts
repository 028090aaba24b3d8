import { randomUUID } from 'node:crypto'
import { Hono } from 'hono'
import {
  customHostnameNotFound,
  duplicateCustomHostname,
  fallbackOriginNotFound,
  invalidCustomCertificate,
  invalidCustomHostname,
  invalidCustomMetadata,
  malformedBody,
} from '../../domain/errors.js'
import { hostnameInZone, hostnameProblem } from '../../shared/route-patterns.js'
import { StorageConflict, type CustomHostname, type FallbackOrigin, type Zone } from '../../storage/store.js'
import { intParam, readJsonObject } from '../body.js'
import type { ApiDeps, ApiEnv } from '../context.js'
import { checkOwnership, ownershipHttpUrl, ownershipTxtName } from '../custom-hostnames/ownership.js'
import { requireCustomHostname } from '../custom-hostnames/hostname.js'
import { ok, paginate } from '../envelope.js'
import { ownZone } from './zones.js'
import { CertificateProblem, checkCertificatePair } from '../../runtime/https/certificate-pem.js'

/** The certificate the edge serves for a hostname, as the view shows it. */
type Served = Awaited<ReturnType<NonNullable<ApiDeps['tls']>['certificate']>>

/**
 * Cloudflare's custom hostname object. `ssl.status` is `active` once the edge serves a certificate
 * for the hostname (uploaded, or issued by ACME), and stays `pending_validation` until then; the
 * ssl fields sent are kept and echoed, except the private key, which only the certificate store
 * holds (sealed).
 */
function customHostnameView(h: CustomHostname, errors: string[] = [], served?: Served) {
  const { custom_certificate: _cert, ...ssl } = h.ssl
  return {
    id: h.id,
    hostname: h.hostname,
    ssl: {
      id: h.id,
      type: 'dv',
      method: 'http',
      bundle_method: 'ubiquitous',
      settings: {},
      wildcard: false,
      ...ssl,
      status: served ? 'active' : 'pending_validation',
      ...(served
        ? {
            certificate_authority: served.source === 'custom' ? undefined : 'acme',
            certificates: [
              {
                id: h.id,
                issuer: served.issuer,
                issued_on: new Date(served.notBefore).toISOString(),
                expires_on: new Date(served.notAfter).toISOString(),
              },
            ],
          }
        : {}),
    },
    ...(h.customMetadata ? { custom_metadata: h.customMetadata } : {}),
    ...(h.customOriginServer ? { custom_origin_server: h.customOriginServer } : {}),
    status: h.status,
    ...(errors.length ? { verification_errors: errors } : {}),
    ownership_verification: { type: 'txt', name: ownershipTxtName(h.hostname), value: h.verificationToken },
    ownership_verification_http: { http_url: ownershipHttpUrl(h), http_body: h.verificationToken },
    created_at: h.createdAt,
  }
}

const fallbackView = (f: FallbackOrigin) => ({
  origin: f.origin,
  status: 'active',
  errors: [] as string[],
  created_at: f.createdAt,
  updated_at: f.updatedAt,
})

/**
 * The ssl object as sent, minus `custom_key` and `custom_certificate`, which go to the edge's
 * certificate store (the key sealed) once checked against each other and the hostname.
 */
function requireSsl(value: unknown, hostname: string, now: number): { ssl: Record<string, unknown>; upload?: { certificate: string; key: string } } {
  if (value === undefined || value === null) return { ssl: {} }
  if (typeof value !== 'object' || Array.isArray(value)) throw malformedBody("field 'ssl' must be an object")
  const { custom_key: key, custom_certificate: certificate, ...ssl } = value as Record<string, unknown>
  if (key === undefined && certificate === undefined) return { ssl }
  if (typeof key !== 'string' || typeof certificate !== 'string')
    throw invalidCustomCertificate('custom_certificate and custom_key must be sent together, as PEM text')
  try {
    checkCertificatePair(certificate, key, hostname, now)
  } catch (e) {
    if (e instanceof CertificateProblem) throw invalidCustomCertificate(e.message)
    throw e
  }
  return { ssl: { ...ssl, custom_certificate: certificate }, upload: { certificate, key } }
}

function requireMetadata(value: unknown): Record<string, unknown> | null {
  if (value === undefined || value === null) return null
  if (typeof value !== 'object' || Array.isArray(value)) throw invalidCustomMetadata()
  return value as Record<string, unknown>
}

/** An origin (custom_origin_server, fallback origin) is a hostname of the zone: its routes serve it. */
function requireOrigin(value: unknown, zone: Zone, field: string): string {
  if (typeof value !== 'string') throw malformedBody(`field '${field}' must be a string`)
  const name = value.trim().toLowerCase().replace(/\.$/, '')
  const problem = hostnameProblem(name) ?? (hostnameInZone(name, zone.name) ? undefined : `it is not in the zone ${zone.name}`)
  if (problem) throw invalidCustomHostname(`${field}: ${problem}`)
  return name
}

/** Cloudflare's hostname filters: `hostname` and `hostname.exact`, `hostname.contain`, `hostname.startsWith`. */
function hostnameFilter(q: (key: string) => string | undefined): (hostname: string) => boolean {
  const norm = (v: string | undefined) => v?.trim().toLowerCase().replace(/\.$/, '') || undefined
  const exact = norm(q('hostname')) ?? norm(q('hostname.exact'))
  const contain = norm(q('hostname.contain'))
  const prefix = norm(q('hostname.startsWith'))
  return (h) =>
    (exact === undefined || h === exact) &&
    (contain === undefined || h.includes(contain)) &&
    (prefix === undefined || h.startsWith(prefix))
}

/** `/zones/:zoneId/custom_hostnames`: Cloudflare for SaaS, customers' hostnames served by a zone. */
export function customHostnameRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>()
  const base = '/zones/:zoneId/custom_hostnames'

  /** A pending hostname is checked again whenever it is read; proven, it turns active and routes. */
  async function refreshed(h: CustomHostname): Promise<{ h: CustomHostname; errors: string[]; served?: Served }> {
    if (h.status === 'active') return { h, errors: [], served: await served(h) }
    const { proven, errors } = await checkOwnership(h)
    if (!proven) return { h, errors }
    const active = { ...h, status: 'active' as const }
    if (await deps.store.zones.updateCustomHostname(active)) await deps.edge.routesChanged()
    return { h: active, errors: [], served: await served(active) }
  }

  /** The certificate served for an active hostname; one without is ordered one (ACME), in the background. */
  async function served(h: CustomHostname): Promise<Served> {
    if (!deps.tls || h.status !== 'active') return undefined
    const certificate = await deps.tls.certificate(h.hostname)
    if (!certificate) await deps.tls.serve(h.hostname)
    return certificate
  }

  async function ownHostname(zone: Zone, id: string): Promise<CustomHostname> {
    const h = (await deps.store.zones.customHostnames(zone.id)).find((x) => x.id === id)
    if (!h) throw customHostnameNotFound()
    return h
  }

  app.post(base, async (c) => {
    const zone = await ownZone(deps, c, c.req.param('zoneId'))
    const body = await readJsonObject(c)
    const hostname = requireCustomHostname(body.hostname, deps.config.edgeDomain)
    const { ssl, upload } = requireSsl(body.ssl, hostname, deps.clock.now())
    const customMetadata = requireMetadata(body.custom_metadata)
    const customOriginServer =
      body.custom_origin_server === undefined || body.custom_origin_server === null
        ? null
        : requireOrigin(body.custom_origin_server, zone, 'custom_origin_server')
    const verify = deps.config.verifyHostnames ?? true
    try {
      const created = await deps.store.zones.createCustomHostname({
        id: randomUUID(),
        zoneId: zone.id,
        hostname,
        status: verify ? 'pending' : 'active',
        ssl,
        customMetadata,
        customOriginServer,
        verificationToken: randomUUID(),
      })
      if (upload && deps.tls) await deps.tls.upload(hostname, upload.certificate, upload.key)
      await deps.edge.routesChanged()
      return c.json(ok(customHostnameView(created, [], await served(created))), 201)
    } catch (e) {
      if (e instanceof StorageConflict) throw duplicateCustomHostname()
      throw e
    }
  })

  app.get(base, async (c) => {
    const zone = await ownZone(deps, c, c.req.param('zoneId'))
    const q = (key: string) => c.req.query(key)
    const page = intParam(q('page'), 1, 1, 1e9)
    const perPage = intParam(q('per_page'), 20, 5, 50)
    const wanted = hostnameFilter(q)
    const id = q('id')
    const status = q('hostname_status')
    let all = (await deps.store.zones.customHostnames(zone.id)).filter(
      (h) => wanted(h.hostname) && (!id || h.id === id) && (!status || h.status === status),
    )
    if (q('order') === undefined || q('order') === 'hostname') all.sort((a, b) => a.hostname.localeCompare(b.hostname))
    if (q('direction') === 'desc') all = all.reverse()
    const { items, info } = paginate(all, page, perPage)
    const shown = await Promise.all(items.map(refreshed))
    return c.json(ok(shown.map((r) => customHostnameView(r.h, r.errors, r.served)), info))
  })

  // Before `/:id`, which would take `fallback_origin` for an id.
  app.get(`${base}/fallback_origin`, async (c) => {
    const zone = await ownZone(deps, c, c.req.param('zoneId'))
    const fallback = await deps.store.zones.fallbackOrigin(zone.id)
    if (!fallback) throw fallbackOriginNotFound()
    return c.json(ok(fallbackView(fallback)))
  })

  app.put(`${base}/fallback_origin`, async (c) => {
    const zone = await ownZone(deps, c, c.req.param('zoneId'))
    const body = await readJsonObject(c)
    const fallback = await deps.store.zones.setFallbackOrigin(zone.id, requireOrigin(body.origin, zone, 'origin'))
    await deps.edge.routesChanged()
    return c.json(ok(fallbackView(fallback)))
  })

  app.delete(`${base}/fallback_origin`, async (c) => {
    const zone = await ownZone(deps, c, c.req.param('zoneId'))
    const fallback = await deps.store.zones.fallbackOrigin(zone.id)
    if (!fallback || !(await deps.store.zones.deleteFallbackOrigin(zone.id))) throw fallbackOriginNotFound()
    await deps.edge.routesChanged()
    return c.json(ok({ ...fallbackView(fallback), status: 'pending_deletion' }))
  })

  app.get(`${base}/:id`, async (c) => {
    const zone = await ownZone(deps, c, c.req.param('zoneId'))
    const { h, errors, served } = await refreshed(await ownHostname(zone, c.req.param('id')))
    return c.json(ok(customHostnameView(h, errors, served)))
  })

  app.patch(`${base}/:id`, async (c) => {
    const zone = await ownZone(deps, c, c.req.param('zoneId'))
    const current = await ownHostname(zone, c.req.param('id'))
    const body = await readJsonObject(c)
    const sent = body.ssl !== undefined ? requireSsl(body.ssl, current.hostname, deps.clock.now()) : undefined
    const next: CustomHostname = {
      ...current,
      ...(sent ? { ssl: { ...current.ssl, ...sent.ssl } } : {}),
      ...(body.custom_metadata !== undefined ? { customMetadata: requireMetadata(body.custom_metadata) } : {}),
      ...(body.custom_origin_server !== undefined
        ? {
            customOriginServer:
              body.custom_origin_server === null ? null : requireOrigin(body.custom_origin_server, zone, 'custom_origin_server'),
          }
        : {}),
    }
    if (!(await deps.store.zones.updateCustomHostname(next))) throw customHostnameNotFound()
    if (sent?.upload && deps.tls) await deps.tls.upload(current.hostname, sent.upload.certificate, sent.upload.key)
    await deps.edge.routesChanged()
    const { h, errors, served } = await refreshed(next)
    return c.json(ok(customHostnameView(h, errors, served)), 202)
  })

  app.delete(`${base}/:id`, async (c) => {
    const zone = await ownZone(deps, c, c.req.param('zoneId'))
    const gone = await ownHostname(zone, c.req.param('id'))
    if (!(await deps.store.zones.deleteCustomHostname(zone.id, gone.id))) throw customHostnameNotFound()
    await deps.tls?.drop(gone.hostname)
    await deps.edge.routesChanged()
    return c.json(ok({ id: c.req.param('id') }))
  })

  return app
}
