import { sqliteAssets } from './assets.js'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileBlobStore } from '../blobs/files.js'
import { systemClock, type Clock } from '../../util/clock.js'
import type { Store } from '../store.js'
import { sqliteAccounts } from './accounts.js'
import { sqliteContainment } from './containment.js'
import { openDatabase } from './database.js'
import { durableWrites } from './durability.js'
import { sqliteInvocations } from './invocations.js'
import { sqliteUsage } from './usage.js'
import { sqliteR2 } from './r2.js'
import { sqliteSchedules } from './schedules.js'
import { sqliteQueues } from './queues.js'
import { sqliteTls } from './tls.js'
import { sqliteDurableObjects } from './durable-objects.js'
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
  // R2 bodies sit beside the database; an in-memory store (tests) keeps them in a scratch dir.
  const blobDir = file === ':memory:' ? mkdtempSync(join(tmpdir(), 'workerhive-r2-')) : join(opts.dataDir ?? dirname(file), 'r2')
  const durable = durableWrites(db, file)
  const w = durable.wrap
  return {
    accounts: w(sqliteAccounts(db, clock)),
    namespaces: w(sqliteNamespaces(db, clock)),
    scripts: w(sqliteScripts(db, clock)),
    kv: w(sqliteKv(db, clock)),
    d1: w(sqliteD1(db, clock)),
    placement: w(sqlitePlacement(db)),
    assets: w(sqliteAssets(db)),
    zones: w(sqliteZones(db, clock)),
    containment: w(sqliteContainment(db, clock)),
    invocations: w(sqliteInvocations(db)),
    usage: w(sqliteUsage(db)),
    schedules: w(sqliteSchedules(db, clock)),
    tls: w(sqliteTls(db, clock)),
    durableObjects: w(sqliteDurableObjects(db, clock)),
    r2: w(sqliteR2(db, clock, fileBlobStore(blobDir))),
    queues: w(sqliteQueues(db)),
    async close() {
      await durable.close()
      db.close()
    },
  }
}
