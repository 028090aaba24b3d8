import { postgresAssets } from './assets.js'
import { systemClock, type Clock } from '../../util/clock.js'
import type { Store } from '../store.js'
import { postgresAccounts } from './accounts.js'
import { postgresChanges } from './changes.js'
import { postgresContainment } from './containment.js'
import { openDatabase, type PostgresOptions } from './database.js'
import { postgresInvocations } from './invocations.js'
import { postgresUsage } from './usage.js'
import { postgresSchedules } from './schedules.js'
import { postgresTls } from './tls.js'
import { postgresDurableObjects } from './durable-objects.js'
import { postgresQueues } from './queues.js'
import { postgresKv } from './kv.js'
import { postgresD1 } from './d1.js'
import { postgresPlacement } from './placement.js'
import { postgresR2 } from './r2.js'
import { postgresBlobStore } from './r2-blobs.js'
import { postgresNamespaces } from './namespaces.js'
import { postgresScripts } from './scripts.js'
import { postgresZones } from './zones.js'

export type { PostgresOptions }

/**
 * The shared store for several nodes behind a load balancer: every node opens the same database
 * (and schema), and every Store method is one statement or one transaction, so nodes need no other
 * coordination. Migrations run at open, once, however many nodes start together.
 */
export async function openPostgresStore(opts: PostgresOptions & { clock?: Clock }): Promise<Store> {
  const clock = opts.clock ?? systemClock
  const db = await openDatabase(opts)
  const changes = await postgresChanges({
    url: opts.url,
    ...(opts.schema !== undefined ? { schema: opts.schema } : {}),
    publish: (sql, params) => db.run(sql, params),
  })
  return {
    accounts: postgresAccounts(db, clock),
    namespaces: postgresNamespaces(db, clock),
    scripts: postgresScripts(db, clock),
    kv: postgresKv(db),
    d1: postgresD1(db, clock),
    placement: postgresPlacement(db),
    r2: postgresR2(db, clock, postgresBlobStore(db)),
    assets: postgresAssets(db),
    zones: postgresZones(db, clock),
    containment: postgresContainment(db, clock),
    invocations: postgresInvocations(db),
    usage: postgresUsage(db),
    schedules: postgresSchedules(db, clock),
    tls: postgresTls(db, clock),
    durableObjects: postgresDurableObjects(db, clock),
    queues: postgresQueues(db),
    changes,
    async close() {
      await changes.close()
      await db.close()
    },
  }
}
