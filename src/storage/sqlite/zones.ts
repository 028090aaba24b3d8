import type { ZoneId } from '../../domain/ids.js'
import { isoTime, type Clock } from '../../util/clock.js'
import { hexId } from '../../util/ids.js'
import { rethrowConflict } from '../shared/dialect.js'
import { toEdgeRoute, toRoute, toZone, type RouteRow, type ZoneRow } from '../shared/zones.js'
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
  }
}
