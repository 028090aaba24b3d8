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
import type { ZoneStore } from '../store.js'
import { dialect, type Db } from './database.js'

export function sqliteZones(db: Db, clock: Clock): ZoneStore {
  const s = {
    insert: db.prepare('INSERT INTO zones (id, account_id, name, created_on) VALUES (?, ?, ?, ?)'),
    get: db.prepare<[string], ZoneRow>('SELECT * FROM zones WHERE id = ?'),
    delete: db.prepare('DELETE FROM zones WHERE id = ?'),
    routes: db.prepare<[string], RouteRow>('SELECT * FROM routes WHERE zone_id = ? ORDER BY pattern'),
    allRoutes: db.prepare<[], RouteRow & { account_id: string; zone_name: string }>(
      `SELECT r.*, z.account_id, z.name AS zone_name FROM routes r JOIN zones z ON z.id = r.zone_id`,
    ),
    insertRoute: db.prepare('INSERT INTO routes (id, zone_id, pattern, script) VALUES (?, ?, ?, ?)'),
    route: db.prepare<[string, string], RouteRow>('SELECT * FROM routes WHERE zone_id = ? AND id = ?'),
    updateRoute: db.prepare('UPDATE routes SET pattern = ?, script = ? WHERE zone_id = ? AND id = ?'),
    deleteRoute: db.prepare('DELETE FROM routes WHERE zone_id = ? AND id = ?'),
    insertHostname: db.prepare(
      `INSERT INTO custom_hostnames (id, zone_id, hostname, status, ssl, custom_metadata, custom_origin_server,
       verification_token, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    hostnames: db.prepare<[string], CustomHostnameRow>(
      'SELECT * FROM custom_hostnames WHERE zone_id = ? ORDER BY created_at, id',
    ),
    updateHostname: db.prepare(
      `UPDATE custom_hostnames SET status = ?, ssl = ?, custom_metadata = ?, custom_origin_server = ?
       WHERE zone_id = ? AND id = ?`,
    ),
    deleteHostname: db.prepare('DELETE FROM custom_hostnames WHERE zone_id = ? AND id = ?'),
    allHostnames: db.prepare<[], CustomHostnameRow & { account_id: string; zone_name: string }>(
      `SELECT h.*, z.account_id, z.name AS zone_name FROM custom_hostnames h JOIN zones z ON z.id = h.zone_id`,
    ),
    fallback: db.prepare<[string], FallbackOriginRow>('SELECT * FROM custom_hostname_fallback_origins WHERE zone_id = ?'),
    allFallbacks: db.prepare<[], FallbackOriginRow>('SELECT * FROM custom_hostname_fallback_origins'),
    upsertFallback: db.prepare(
      `INSERT INTO custom_hostname_fallback_origins (zone_id, origin, created_at, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (zone_id) DO UPDATE SET origin = excluded.origin, updated_at = excluded.updated_at`,
    ),
    deleteFallback: db.prepare('DELETE FROM custom_hostname_fallback_origins WHERE zone_id = ?'),
    workerDomains: db.prepare<[string], WorkerDomainRow>(`${WORKER_DOMAINS_SELECT} WHERE z.account_id = ? ORDER BY d.hostname`),
    allWorkerDomains: db.prepare<[], WorkerDomainRow>(WORKER_DOMAINS_SELECT),
    putWorkerDomain: db.prepare(
      `INSERT INTO worker_domains (id, zone_id, hostname, service, environment, created_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (hostname) DO UPDATE SET id = excluded.id, zone_id = excluded.zone_id, service = excluded.service,
       environment = excluded.environment, created_at = excluded.created_at`,
    ),
    deleteWorkerDomain: db.prepare(
      'DELETE FROM worker_domains WHERE id = ? AND zone_id IN (SELECT id FROM zones WHERE account_id = ?)',
    ),
    deleteScriptRoutes: db.prepare(
      'DELETE FROM routes WHERE script = ? AND zone_id IN (SELECT id FROM zones WHERE account_id = ?)',
    ),
  }
  const conflict = (what: string, e: unknown): never => rethrowConflict(dialect, what, e)
  return {
    async create(accountId, name) {
      const id = hexId()
      const now = isoTime(clock.now())
      try {
        s.insert.run(id, accountId, name, now)
      } catch (e) {
        conflict(`zone ${name}`, e)
      }
      return { id: id as ZoneId, accountId, name, createdOn: now }
    },
    async get(id) {
      const r = s.get.get(id)
      return r && toZone(dialect, r)
    },
    async list({ accountId, name }) {
      const where: string[] = []
      const params: string[] = []
      if (accountId) (where.push('account_id = ?'), params.push(accountId))
      if (name) (where.push('name = ?'), params.push(name))
      const sql = `SELECT * FROM zones${where.length ? ' WHERE ' + where.join(' AND ') : ''} ORDER BY name`
      return db.prepare<string[], ZoneRow>(sql).all(...params).map((r) => toZone(dialect, r))
    },
    async delete(id) {
      return s.delete.run(id).changes > 0
    },
    async routes(zoneId) {
      return s.routes.all(zoneId).map(toRoute)
    },
    async allRoutes() {
      return s.allRoutes.all().map(toEdgeRoute)
    },
    async createRoute(zoneId, pattern, script) {
      const id = hexId()
      try {
        s.insertRoute.run(id, zoneId, pattern, script)
      } catch (e) {
        conflict(`route ${pattern}`, e)
      }
      return { id, zoneId, pattern, script }
    },
    async updateRoute(zoneId, id, pattern, script) {
      try {
        if (s.updateRoute.run(pattern, script, zoneId, id).changes === 0) return undefined
      } catch (e) {
        conflict(`route ${pattern}`, e)
      }
      return { id, zoneId, pattern, script }
    },
    async deleteRoute(zoneId, id) {
      return s.deleteRoute.run(zoneId, id).changes > 0
    },
    async replaceScriptRoutes(accountId, script, routes) {
      return db.transaction(() => {
        s.deleteScriptRoutes.run(script, accountId)
        return routes.map((r) => {
          const id = hexId()
          try {
            s.insertRoute.run(id, r.zoneId, r.pattern, script)
          } catch (e) {
            conflict(`route ${r.pattern}`, e)
          }
          return { id, zoneId: r.zoneId, pattern: r.pattern, script }
        })
      })()
    },
    async createCustomHostname(h) {
      const full = { ...h, createdAt: isoTime(clock.now()) }
      try {
        s.insertHostname.run(h.id, ...customHostnameColumns(full))
      } catch (e) {
        conflict(`custom hostname ${h.hostname}`, e)
      }
      return full
    },
    async customHostnames(zoneId) {
      return s.hostnames.all(zoneId).map(toCustomHostname)
    },
    async updateCustomHostname(h) {
      const [, , status, ssl, metadata, origin] = customHostnameColumns(h)
      return s.updateHostname.run(status, ssl, metadata, origin, h.zoneId, h.id).changes > 0
    },
    async deleteCustomHostname(zoneId, id) {
      return s.deleteHostname.run(zoneId, id).changes > 0
    },
    async allCustomHostnames() {
      return s.allHostnames.all().map((r) => ({
        ...toCustomHostname(r),
        accountId: r.account_id as AccountId,
        zoneName: r.zone_name,
      }))
    },
    async fallbackOrigin(zoneId) {
      const r = s.fallback.get(zoneId)
      return r && toFallbackOrigin(r)
    },
    async setFallbackOrigin(zoneId, origin) {
      const now = isoTime(clock.now())
      s.upsertFallback.run(zoneId, origin, now, now)
      return toFallbackOrigin(s.fallback.get(zoneId)!)
    },
    async deleteFallbackOrigin(zoneId) {
      return s.deleteFallback.run(zoneId).changes > 0
    },
    async allFallbackOrigins() {
      return s.allFallbacks.all().map(toFallbackOrigin)
    },
    async workerDomains(accountId) {
      return s.workerDomains.all(accountId).map(toWorkerDomain)
    },
    async putWorkerDomain(d) {
      s.putWorkerDomain.run(d.id, d.zoneId, d.hostname, d.service, d.environment, isoTime(clock.now()))
    },
    async deleteWorkerDomain(accountId, id) {
      return s.deleteWorkerDomain.run(id, accountId).changes > 0
    },
    async allWorkerDomains() {
      return s.allWorkerDomains.all().map(toWorkerDomain)
    },
  }
}
