import type { AccountId, ZoneId } from '../../domain/ids.js'
import type { Route, Zone } from '../store.js'
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
