import type { AccountId, ZoneId } from '../../domain/ids.js'
import { isoTime, type Clock } from '../../util/clock.js'
import { hexId } from '../../util/ids.js'
import { StorageConflict, type Route, type Zone, type ZoneStore } from '../store.js'
import { isUniqueViolation } from './accounts.js'
import type { Db } from './database.js'

interface ZoneRow {
  id: string
  account_id: string
  name: string
  created_on: string
}
interface RouteRow {
  id: string
  zone_id: string
  pattern: string
  script: string | null
}

const toZone = (r: ZoneRow): Zone => ({
  id: r.id as ZoneId,
  accountId: r.account_id as AccountId,
  name: r.name,
  createdOn: r.created_on,
})
const toRoute = (r: RouteRow): Route => ({ id: r.id, zoneId: r.zone_id as ZoneId, pattern: r.pattern, script: r.script })

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
  const conflict = (what: string, e: unknown): never => {
    if (isUniqueViolation(e)) throw new StorageConflict(what)
    throw e
  }
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
      return r && toZone(r)
    },
    async list({ accountId, name }) {
      const where: string[] = []
      const params: string[] = []
      if (accountId) (where.push('account_id = ?'), params.push(accountId))
      if (name) (where.push('name = ?'), params.push(name))
      const sql = `SELECT * FROM zones${where.length ? ' WHERE ' + where.join(' AND ') : ''} ORDER BY name`
      return db.prepare<string[], ZoneRow>(sql).all(...params).map(toZone)
    },
    async delete(id) {
      return s.delete.run(id).changes > 0
    },
    async routes(zoneId) {
      return s.routes.all(zoneId).map(toRoute)
    },
    async allRoutes() {
      return s.allRoutes.all().map((r) => ({
        ...toRoute(r),
        accountId: r.account_id as AccountId,
        zoneName: r.zone_name,
      }))
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
