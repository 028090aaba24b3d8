import { sqliteAssets } from './assets.js'
import { join } from 'node:path'
import { systemClock, type Clock } from '../../util/clock.js'
import type { Store } from '../store.js'
import { sqliteAccounts } from './accounts.js'
import { sqliteContainment } from './containment.js'
import { openDatabase } from './database.js'
import { sqliteInvocations } from './invocations.js'
import { sqliteSchedules } from './schedules.js'
import { sqliteKv } from './kv.js'
import { sqliteD1 } from './d1.js'
import { sqlitePlacement } from './placement.js'
import { sqliteNamespaces } from './namespaces.js'
import { sqliteScripts } from './scripts.js'
import { sqliteZones } from './zones.js'

/** The embedded store: one SQLite file (`workerhive.db`) in the data directory, or `:memory:`. */
export function openSqliteStore(opts: { dataDir?: string; file?: string; clock?: Clock }): Store {
  const file = opts.file ?? join(opts.dataDir ?? '.', 'workerhive.db')
  const clock = opts.clock ?? systemClock
  const db = openDatabase(file)
  return {
    accounts: sqliteAccounts(db, clock),
    namespaces: sqliteNamespaces(db, clock),
    scripts: sqliteScripts(db, clock),
    kv: sqliteKv(db, clock),
    d1: sqliteD1(db, clock),
    placement: sqlitePlacement(db),
    assets: sqliteAssets(db),
    zones: sqliteZones(db, clock),
    containment: sqliteContainment(db, clock),
    invocations: sqliteInvocations(db),
    schedules: sqliteSchedules(db, clock),
    async close() {
      db.close()
    },
  }
}
