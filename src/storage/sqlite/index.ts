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
import { sqliteInvocations } from './invocations.js'
import { sqliteSchedules } from './schedules.js'
import { sqliteKv } from './kv.js'
import { sqliteR2 } from './r2.js'
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
  return {
    accounts: sqliteAccounts(db, clock),
    namespaces: sqliteNamespaces(db, clock),
    scripts: sqliteScripts(db, clock),
    kv: sqliteKv(db, clock),
    r2: sqliteR2(db, clock, fileBlobStore(blobDir)),
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
