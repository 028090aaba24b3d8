import type { AccountId, ZoneId } from '../../domain/ids.js'
import type { CustomHostname, FallbackOrigin, Route, WorkerDomain, Zone } from '../store.js'
import type { Dialect } from './dialect.js'

export interface ZoneRow {
  id: string
  account_id: string
  name: string
  created_on: unknown
}
export interface RouteRow {
  id: string
  zone_id: string
  pattern: string
  script: string | null
}

export const toZone = (dialect: Dialect, r: ZoneRow): Zone => ({
  id: r.id as ZoneId,
  accountId: r.account_id as AccountId,
  name: r.name,
  createdOn: dialect.time(r.created_on),
})

export const toRoute = (r: RouteRow): Route => ({
  id: r.id,
  zoneId: r.zone_id as ZoneId,
  pattern: r.pattern,
  script: r.script,
})

/** A route of the edge's table: the route with the zone's account and name. */
export const toEdgeRoute = (r: RouteRow & { account_id: string; zone_name: string }) => ({
  ...toRoute(r),
  accountId: r.account_id as AccountId,
  zoneName: r.zone_name,
})

export interface CustomHostnameRow {
  id: string
  zone_id: string
  hostname: string
  status: string
  ssl: string
  custom_metadata: string | null
  custom_origin_server: string | null
  verification_token: string
  created_at: string
}

export const toCustomHostname = (r: CustomHostnameRow): CustomHostname => ({
  id: r.id,
  zoneId: r.zone_id as ZoneId,
  hostname: r.hostname,
  status: r.status === 'active' ? 'active' : 'pending',
  ssl: JSON.parse(r.ssl) as Record<string, unknown>,
  customMetadata: r.custom_metadata === null ? null : (JSON.parse(r.custom_metadata) as Record<string, unknown>),
  customOriginServer: r.custom_origin_server,
  verificationToken: r.verification_token,
  createdAt: r.created_at,
})

/** The row's columns in insert order, after id. */
export const customHostnameColumns = (h: CustomHostname) => [
  h.zoneId,
  h.hostname,
  h.status,
  JSON.stringify(h.ssl),
  h.customMetadata === null ? null : JSON.stringify(h.customMetadata),
  h.customOriginServer,
  h.verificationToken,
  h.createdAt,
]

export interface FallbackOriginRow {
  zone_id: string
  origin: string
  created_at: string
  updated_at: string
}

export const toFallbackOrigin = (r: FallbackOriginRow): FallbackOrigin => ({
  zoneId: r.zone_id as ZoneId,
  origin: r.origin,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
})

export interface WorkerDomainRow {
  id: string
  zone_id: string
  zone_name: string
  account_id: string
  hostname: string
  service: string
  environment: string
  created_at: string
}

export const toWorkerDomain = (r: WorkerDomainRow): WorkerDomain & { accountId: AccountId } => ({
  id: r.id,
  zoneId: r.zone_id as ZoneId,
  zoneName: r.zone_name,
  accountId: r.account_id as AccountId,
  hostname: r.hostname,
  service: r.service,
  environment: r.environment,
  createdAt: r.created_at,
})

export const WORKER_DOMAINS_SELECT = `SELECT d.*, z.name AS zone_name, z.account_id FROM worker_domains d
  JOIN zones z ON z.id = d.zone_id`
