import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { runStoreConformance } from './conformance/suite.js'
import { openStore } from '../../src/storage/open.js'
import { openPostgresStore } from '../../src/storage/postgres/index.js'
import { migrations } from '../../src/storage/postgres/migrations/index.js'
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
