import { after, before } from 'node:test'
import type { ConfigInput } from '../../src/config/config.js'
import { startTestPlatform, type TestPlatform } from './platform.js'
import { dropSchema, POSTGRES_URL, requirePostgres, TEST_SECRETS_KEY, uniqueSchemaName } from './postgres.js'

/**
 * Two nodes of one platform sharing a fresh PostgreSQL schema: started before the suite's tests,
 * closed after them (the schema dropped). Call it in a `describe`; the answer gives both nodes.
 */
export function twoNodesOnPostgres(overrides: ConfigInput = {}): () => [TestPlatform, TestPlatform] {
  const schema = uniqueSchemaName()
  let a: TestPlatform | undefined
  let b: TestPlatform | undefined
  before(async () => {
    await requirePostgres()
    const shared = { ...overrides, storage: 'postgres', postgresUrl: POSTGRES_URL, postgresSchema: schema, secretsKey: TEST_SECRETS_KEY } as const
    a = await startTestPlatform(shared)
    b = await startTestPlatform(shared)
  })
  after(async () => {
    await b?.close()
    await a?.close()
    if (a) await dropSchema(schema)
  })
  return () => [a!, b!]
}
