import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { runStoreConformance } from './conformance/suite.js'
import { openStore } from '../../src/storage/open.js'
import { openPostgresStore } from '../../src/storage/postgres/index.js'
import { migrations } from '../../src/storage/postgres/migrations/index.js'
import { nextCronRun } from '../../src/domain/cron.js'
import { Scheduler } from '../../src/runtime/scheduler.js'
import type { ScheduledRun } from '../../src/shared/protocol.js'
import { createLogger } from '../../src/util/logger.js'
import { ManualClock } from '../helpers/manual-clock.js'
import { esmVersion } from './conformance/fixtures.js'
import {
  adminQuery,
  dropSchema,
  emptySchema,
  POSTGRES_URL,
  requirePostgres,
  uniqueSchemaName,
} from '../helpers/postgres.js'

// The conformance stores of this run share one schema, emptied before each test and dropped at the
// end; the driver tests below make schemas of their own. `after` drops them all.
const schemas = new Set<string>()
after(async () => {
  for (const schema of schemas) await dropSchema(schema)
})

const conformanceSchema = uniqueSchemaName()
let conformanceSchemaUsed = false

runStoreConformance({
  name: 'postgres',
  async open(clock) {
    await requirePostgres()
    if (conformanceSchemaUsed) await emptySchema(conformanceSchema)
    conformanceSchemaUsed = true
    schemas.add(conformanceSchema)
    return openPostgresStore({ url: POSTGRES_URL, schema: conformanceSchema, clock, maxConnections: 8 })
  },
})

describe('PostgreSQL driver', () => {
  it('several nodes opening one fresh schema at once apply each migration once', async () => {
    await requirePostgres()
    const schema = uniqueSchemaName()
    schemas.add(schema)
    const stores = await Promise.all(
      Array.from({ length: 4 }, () => openPostgresStore({ url: POSTGRES_URL, schema, maxConnections: 2 })),
    )
    try {
      const applied = await adminQuery<{ version: number }>(
        `SELECT version FROM ${schema}.workerhive_migrations ORDER BY version`,
      )
      assert.deepEqual(applied.map((r) => r.version), migrations.map((m) => m.version))
      // Every node sees the same data.
      const input = { name: 'n', email: 'n@example.com', globalKeyHash: 'h', subdomain: 'n' }
      const account = await stores[0]!.accounts.create(input)
      assert.equal((await stores[3]!.accounts.get(account.id))?.email, 'n@example.com')
    } finally {
      await Promise.all(stores.map((s) => s.close()))
    }
  })

  it('two nodes’ schedulers on one schema run each cron tick exactly once, and a tick missed while both were down once', async () => {
    await requirePostgres()
    const schema = uniqueSchemaName()
    schemas.add(schema)
    const clock = new ManualClock(Date.UTC(2030, 0, 1, 0, 0, 30))
    const stores = await Promise.all([0, 1].map(() => openPostgresStore({ url: POSTGRES_URL, schema, clock, maxConnections: 4 })))
    try {
      const account = await stores[0]!.accounts.create({ name: 'c', email: 'c@example.com', globalKeyHash: 'h', subdomain: 'c' })
      const ns = await stores[0]!.namespaces.create(account.id, 'production')
      for (let i = 0; i < 20; i++) {
        const { script } = await stores[0]!.scripts.publish({ scope: { accountId: account.id, namespaceId: ns.id }, name: `s${i}`, version: esmVersion('export default {}') })
        await stores[0]!.schedules.replace(script.id, [{ cron: '* * * * *', nextRunAt: nextCronRun('* * * * *', clock.now())! }])
      }
      const ran: ScheduledRun[] = []
      const schedulers = stores.map(
        (store) => new Scheduler({ store, clock, log: createLogger('silent'), run: async (run) => (ran.push(run), { outcome: 'ok', noRetry: false }) }),
      )
      const tickBoth = async () => (await Promise.all(schedulers.map((s) => s.tick()))).reduce((a, b) => a + b, 0)

      clock.advance(30_000) // 00:01:00
      assert.equal(await tickBoth(), 20)
      assert.equal(ran.length, 20)
      assert.equal(new Set(ran.map((r) => r.script)).size, 20, 'every script once')
      assert.equal(await tickBoth(), 0, 'nothing runs twice')

      // Both nodes down from 00:01:30 to 00:02:45: the 00:02 tick runs once when one comes back,
      // with its own time, and the next run is 00:03.
      clock.set(Date.UTC(2030, 0, 1, 0, 2, 45))
      ran.length = 0
      assert.equal(await tickBoth(), 20)
      assert.ok(ran.every((r) => r.scheduledTime === Date.UTC(2030, 0, 1, 0, 2)))
      assert.equal(await tickBoth(), 0)
      clock.set(Date.UTC(2030, 0, 1, 0, 3))
      assert.equal(await tickBoth(), 20)
    } finally {
      await Promise.all(stores.map((s) => s.close()))
    }
  })

  it('reopening an existing schema keeps the data and migrates nothing again', async () => {
    await requirePostgres()
    const schema = uniqueSchemaName()
    schemas.add(schema)
    const first = await openPostgresStore({ url: POSTGRES_URL, schema })
    const input = { name: 'k', email: 'k@example.com', globalKeyHash: 'h', subdomain: 'k' }
    const account = await first.accounts.create(input)
    await first.close()
    const second = await openPostgresStore({ url: POSTGRES_URL, schema })
    try {
      assert.equal((await second.accounts.get(account.id))?.email, 'k@example.com')
    } finally {
      await second.close()
    }
  })

  it('openStore picks the PostgreSQL driver from the config, and says what a missing URL needs', async () => {
    await requirePostgres()
    const schema = uniqueSchemaName()
    schemas.add(schema)
    const store = await openStore({
      storage: 'postgres',
      dataDir: '.',
      postgresUrl: POSTGRES_URL,
      postgresSchema: schema,
    })
    try {
      assert.deepEqual(await store.accounts.list(), [])
    } finally {
      await store.close()
    }
    await assert.rejects(
      openStore({ storage: 'postgres', dataDir: '.', postgresUrl: undefined, postgresSchema: undefined }),
      /--postgres-url/,
    )
  })

  it('refuses a schema name it would have to quote', async () => {
    const opening = openPostgresStore({ url: POSTGRES_URL, schema: 'bad"; DROP' })
    await assert.rejects(opening, /Invalid PostgreSQL schema name/)
  })
})
