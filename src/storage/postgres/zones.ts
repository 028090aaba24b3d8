import type { AccountId, ZoneId } from '../../domain/ids.js'
import { isoTime, type Clock } from '../../util/clock.js'
import { hexId } from '../../util/ids.js'
import { rethrowConflict } from '../shared/dialect.js'
import {
  customHostnameColumns,
  toCustomHostname,
  toEdgeRoute,
  toRoute,
  toZone,
  toFallbackOrigin,
  toWorkerDomain,
  WORKER_DOMAINS_SELECT,
  type WorkerDomainRow,
  type CustomHostnameRow,
  type FallbackOriginRow,
  type RouteRow,
  type ZoneRow,
} from '../shared/zones.js'
import type { Route, ZoneStore } from '../store.js'
import { dialect, type Db } from './database.js'

const sql = {
  insert: 'INSERT INTO zones (id, account_id, name, created_on) VALUES ($1, $2, $3, $4)',
  get: 'SELECT * FROM zones WHERE id = $1',
  // A NULL filter matches every zone, so one statement serves all four combinations.
  list: `SELECT * FROM zones WHERE ($1::text IS NULL OR account_id = $1) AND ($2::text IS NULL OR name = $2)
         ORDER BY name`,
  delete: 'DELETE FROM zones WHERE id = $1',
  routes: 'SELECT * FROM routes WHERE zone_id = $1 ORDER BY pattern',
  allRoutes: 'SELECT r.*, z.account_id, z.name AS zone_name FROM routes r JOIN zones z ON z.id = r.zone_id',
  insertRoute: 'INSERT INTO routes (id, zone_id, pattern, script) VALUES ($1, $2, $3, $4)',
  updateRoute: 'UPDATE routes SET pattern = $1, script = $2 WHERE zone_id = $3 AND id = $4',
  deleteRoute: 'DELETE FROM routes WHERE zone_id = $1 AND id = $2',
  insertHostname: `INSERT INTO custom_hostnames (id, zone_id, hostname, status, ssl, custom_metadata,
                   custom_origin_server, verification_token, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
  hostnames: 'SELECT * FROM custom_hostnames WHERE zone_id = $1 ORDER BY created_at, id',
  updateHostname: `UPDATE custom_hostnames SET status = $1, ssl = $2, custom_metadata = $3, custom_origin_server = $4
                   WHERE zone_id = $5 AND id = $6`,
  deleteHostname: 'DELETE FROM custom_hostnames WHERE zone_id = $1 AND id = $2',
  allHostnames: `SELECT h.*, z.account_id, z.name AS zone_name FROM custom_hostnames h
                 JOIN zones z ON z.id = h.zone_id`,
  fallback: 'SELECT * FROM custom_hostname_fallback_origins WHERE zone_id = $1',
  allFallbacks: 'SELECT * FROM custom_hostname_fallback_origins',
  upsertFallback: `INSERT INTO custom_hostname_fallback_origins (zone_id, origin, created_at, updated_at)
                   VALUES ($1, $2, $3, $3)
                   ON CONFLICT (zone_id) DO UPDATE SET origin = excluded.origin, updated_at = excluded.updated_at`,
  deleteFallback: 'DELETE FROM custom_hostname_fallback_origins WHERE zone_id = $1',
  workerDomains: `${WORKER_DOMAINS_SELECT} WHERE z.account_id = $1 ORDER BY d.hostname`,
  allWorkerDomains: WORKER_DOMAINS_SELECT,
  putWorkerDomain: `INSERT INTO worker_domains (id, zone_id, hostname, service, environment, created_at)
                    VALUES ($1, $2, $3, $4, $5, $6)
                    ON CONFLICT (hostname) DO UPDATE SET id = excluded.id, zone_id = excluded.zone_id,
                    service = excluded.service, environment = excluded.environment, created_at = excluded.created_at`,
  deleteWorkerDomain: 'DELETE FROM worker_domains WHERE id = $1 AND zone_id IN (SELECT id FROM zones WHERE account_id = $2)',
  deleteScriptRoutes: `DELETE FROM routes
                       WHERE script = $1 AND zone_id IN (SELECT id FROM zones WHERE account_id = $2)`,
} as const

/** Runs a write, turning a broken uniqueness rule into StorageConflict(what). */
async function unique<T>(what: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write()
  } catch (e) {
    return rethrowConflict(dialect, what, e)
  }
}

export function postgresZones(db: Db, clock: Clock): ZoneStore {
  return {
    async create(accountId, name) {
      const id = hexId()
      const now = isoTime(clock.now())
      await unique(`zone ${name}`, () => db.run(sql.insert, [id, accountId, name, now]))
      return { id: id as ZoneId, accountId, name, createdOn: now }
    },
    async get(id) {
      const r = await db.one<ZoneRow>(sql.get, [id])
      return r && toZone(dialect, r)
    },
    async list({ accountId, name }) {
      return (await db.rows<ZoneRow>(sql.list, [accountId || null, name || null])).map((r) => toZone(dialect, r))
    },
    async delete(id) {
      return (await db.run(sql.delete, [id])) > 0
    },
    async routes(zoneId) {
      return (await db.rows<RouteRow>(sql.routes, [zoneId])).map(toRoute)
    },
    async allRoutes() {
      const rows = await db.rows<RouteRow & { account_id: string; zone_name: string }>(sql.allRoutes)
      return rows.map(toEdgeRoute)
    },
    async createRoute(zoneId, pattern, script) {
      const id = hexId()
      await unique(`route ${pattern}`, () => db.run(sql.insertRoute, [id, zoneId, pattern, script]))
      return { id, zoneId, pattern, script }
    },
    async updateRoute(zoneId, id, pattern, script) {
      const update = () => db.run(sql.updateRoute, [pattern, script, zoneId, id])
      const changed = await unique(`route ${pattern}`, update)
      return changed === 0 ? undefined : { id, zoneId, pattern, script }
    },
    async deleteRoute(zoneId, id) {
      return (await db.run(sql.deleteRoute, [zoneId, id])) > 0
    },
    async replaceScriptRoutes(accountId, script, routes) {
      return db.tx(async (q) => {
        await q.run(sql.deleteScriptRoutes, [script, accountId])
        const created: Route[] = []
        for (const r of routes) {
          const id = hexId()
          await unique(`route ${r.pattern}`, () => q.run(sql.insertRoute, [id, r.zoneId, r.pattern, script]))
          created.push({ id, zoneId: r.zoneId, pattern: r.pattern, script })
        }
        return created
      })
    },
    async createCustomHostname(h) {
      const full = { ...h, createdAt: isoTime(clock.now()) }
      await unique(`custom hostname ${h.hostname}`, () => db.run(sql.insertHostname, [h.id, ...customHostnameColumns(full)]))
      return full
    },
    async customHostnames(zoneId) {
      return (await db.rows<CustomHostnameRow>(sql.hostnames, [zoneId])).map(toCustomHostname)
    },
    async updateCustomHostname(h) {
      const [, , status, ssl, metadata, origin] = customHostnameColumns(h)
      return (await db.run(sql.updateHostname, [status, ssl, metadata, origin, h.zoneId, h.id])) > 0
    },
    async deleteCustomHostname(zoneId, id) {
      return (await db.run(sql.deleteHostname, [zoneId, id])) > 0
    },
    async allCustomHostnames() {
      const rows = await db.rows<CustomHostnameRow & { account_id: string; zone_name: string }>(sql.allHostnames)
      return rows.map((r) => ({ ...toCustomHostname(r), accountId: r.account_id as AccountId, zoneName: r.zone_name }))
    },
    async fallbackOrigin(zoneId) {
      const r = await db.one<FallbackOriginRow>(sql.fallback, [zoneId])
      return r && toFallbackOrigin(r)
    },
    async setFallbackOrigin(zoneId, origin) {
      await db.run(sql.upsertFallback, [zoneId, origin, isoTime(clock.now())])
      return toFallbackOrigin((await db.one<FallbackOriginRow>(sql.fallback, [zoneId]))!)
    },
    async deleteFallbackOrigin(zoneId) {
      return (await db.run(sql.deleteFallback, [zoneId])) > 0
    },
    async allFallbackOrigins() {
      return (await db.rows<FallbackOriginRow>(sql.allFallbacks)).map(toFallbackOrigin)
    },
    async workerDomains(accountId) {
      return (await db.rows<WorkerDomainRow>(sql.workerDomains, [accountId])).map(toWorkerDomain)
    },
    async putWorkerDomain(d) {
      await db.run(sql.putWorkerDomain, [d.id, d.zoneId, d.hostname, d.service, d.environment, isoTime(clock.now())])
    },
    async deleteWorkerDomain(accountId, id) {
      return (await db.run(sql.deleteWorkerDomain, [id, accountId])) > 0
    },
    async allWorkerDomains() {
      return (await db.rows<WorkerDomainRow>(sql.allWorkerDomains)).map(toWorkerDomain)
    },
  }
}
