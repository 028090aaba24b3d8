import Cloudflare from 'cloudflare'
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js'

describe('the cloudflare SDK against the D1 API', () => {
  let t: TestPlatform
  let cf: Cloudflare
  let account_id: string

  before(async () => {
    t = await startTestPlatform()
    cf = new Cloudflare({ baseURL: t.platform.apiUrl, apiToken: t.token, maxRetries: 0 })
    account_id = t.accountId
  })
  after(() => t.close())

  it('creates, lists page by page, gets and deletes databases', async () => {
    const created = await cf.d1.database.create({ account_id, name: 'sdk-main' })
    assert.equal(created.name, 'sdk-main')
    for (let i = 0; i < 3; i++) await cf.d1.database.create({ account_id, name: `sdk-extra-${i}` })
    const names: string[] = []
    for await (const db of cf.d1.database.list({ account_id, per_page: 2 })) {
      names.push(db.name!)
      assert.ok(names.length <= 4, 'listing must terminate')
    }
    assert.deepEqual(names.sort(), ['sdk-extra-0', 'sdk-extra-1', 'sdk-extra-2', 'sdk-main'])
    const got = await cf.d1.database.get(created.uuid!, { account_id })
    assert.equal(got.uuid, created.uuid)
    await cf.d1.database.delete(created.uuid!, { account_id })
    await assert.rejects(cf.d1.database.get(created.uuid!, { account_id }), (e: unknown) => e instanceof Cloudflare.NotFoundError)
  })

  it('query and raw with params and batches; a failing batch changes nothing', async () => {
    const db = await cf.d1.database.create({ account_id, name: 'sdk-query' })
    const id = db.uuid!
    await cf.d1.database.query(id, { account_id, sql: 'CREATE TABLE kv (k TEXT PRIMARY KEY, v)' })
    const inserted = await cf.d1.database.query(id, { account_id, sql: 'INSERT INTO kv VALUES (?, ?), (?, ?)', params: ['a', '1', 'b', '2'] })
    assert.equal(inserted.result[0]!.meta!.changes, 2)

    const batch = await cf.d1.database.query(id, {
      account_id,
      batch: [{ sql: "SELECT v FROM kv WHERE k = ?", params: ['a'] }, { sql: 'SELECT count(*) AS n FROM kv' }],
    })
    assert.deepEqual(batch.result.map((r) => r.results), [[{ v: '1' }], [{ n: 2 }]])

    const raw = await cf.d1.database.raw(id, { account_id, sql: 'SELECT k, v FROM kv ORDER BY k' })
    assert.deepEqual(raw.result[0]!.results, { columns: ['k', 'v'], rows: [['a', '1'], ['b', '2']] })

    await assert.rejects(
      cf.d1.database.query(id, { account_id, batch: [{ sql: "INSERT INTO kv VALUES ('c', 3)" }, { sql: "INSERT INTO kv VALUES ('a', 4)" }] }),
      (e: unknown) => e instanceof Cloudflare.BadRequestError && /UNIQUE constraint failed: kv.k: SQLITE_CONSTRAINT/.test(e.message),
    )
    const count = await cf.d1.database.query(id, { account_id, sql: 'SELECT count(*) AS n FROM kv' })
    assert.deepEqual(count.result[0]!.results, [{ n: 2 }])
  })
})
