import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { createNamespace, deployDispatcher, edge, namespaceScriptPath, putScript } from '../helpers/edge.js'
import { jsonBody, startTestPlatform, type TestPlatform } from '../helpers/platform.js'

/** A Durable Object that stores a value of the size asked for. */
const KEEPER = `
import { DurableObject } from 'cloudflare:workers'
export class Keeper extends DurableObject {
  async fetch(request) {
    this.ctx.storage.sql.exec('CREATE TABLE IF NOT EXISTS kept (v TEXT)')
    this.ctx.storage.sql.exec('INSERT INTO kept VALUES (?)', 'x'.repeat(20000))
    return new Response('kept')
  }
}
export default {
  async fetch(request, env) {
    return env.KEEPER.get(env.KEEPER.idFromName('one')).fetch(request)
  },
}
`

/**
 * Storage held, sampled through the real platform: a D1 database with rows and an R2 bucket with
 * two objects, made through the REST API, and a Durable Object holding 20 KB, sampled on demand,
 * read back from Cloudflare's storage datasets (d1StorageAdaptiveGroups, r2StorageAdaptiveGroups,
 * durableObjectsStorageGroups).
 */
describe('storage bytes: sampled D1 sizes and R2 bucket bytes', () => {
  let t: TestPlatform
  let db: string
  const bodies = ['hello', 'a somewhat longer body']

  before(async () => {
    t = await startTestPlatform()
    db = (await t.json(`/accounts/${t.accountId}/d1/database`, { method: 'POST', ...jsonBody({ name: 'sized' }) })).body.result.uuid
    const sql = "CREATE TABLE t (x TEXT); INSERT INTO t VALUES ('one'), ('two'), (printf('%.5000c', 'x'))"
    const created = await t.json(`/accounts/${t.accountId}/d1/database/${db}/query`, { method: 'POST', ...jsonBody({ sql }) })
    assert.equal(created.body.success, true, JSON.stringify(created.body))
    await t.json(`/accounts/${t.accountId}/r2/buckets`, { method: 'POST', ...jsonBody({ name: 'files' }) })
    for (const [i, body] of bodies.entries()) {
      const put = await t.api(`/accounts/${t.accountId}/r2/buckets/files/objects/obj-${i}`, { method: 'PUT', body })
      assert.equal(put.status, 200)
    }
    await createNamespace(t, 'shop')
    const host = await deployDispatcher(t, 'shop')
    const up = await putScript(t, namespaceScriptPath(t, 'shop', 'keeper'), KEEPER, {
      bindings: [{ type: 'durable_object_namespace', name: 'KEEPER', class_name: 'Keeper' }],
      migrations: { new_tag: 'v1', new_sqlite_classes: ['Keeper'] },
    })
    assert.equal(up.status, 200, JSON.stringify(up.body))
    const kept = await edge(t, host, '/keeper')
    assert.equal(kept.text, 'kept')
    // The sampler ran once at start (before these existed); this is the next tick, now.
    await t.platform.storageSampler.sweep()
  })

  after(async () => {
    await t?.close()
  })

  const graphql = async (dataset: string, fields: string): Promise<Array<{ max: Record<string, number>; dimensions: Record<string, string> }>> => {
    const query = `query ($tag: string) { viewer { accounts(filter: { accountTag: $tag }) { ${dataset}(limit: 100) { ${fields} } } } }`
    const res = await t.json('/graphql', { method: 'POST', ...jsonBody({ query, variables: { tag: t.accountId } }) })
    assert.equal(res.body.errors, null, JSON.stringify(res.body.errors))
    return res.body.data.viewer.accounts[0][dataset]
  }

  it("answers r2StorageAdaptiveGroups with the bucket's exact payload bytes and object count", async () => {
    const groups = await graphql('r2StorageAdaptiveGroups', 'max { payloadSize metadataSize objectCount } dimensions { bucketName }')
    assert.equal(groups.length, 1)
    assert.equal(groups[0]!.dimensions['bucketName'], 'files')
    assert.equal(groups[0]!.max['objectCount'], 2)
    assert.equal(groups[0]!.max['payloadSize'], bodies.reduce((n, b) => n + Buffer.byteLength(b), 0))
    assert.ok(groups[0]!.max['metadataSize']! >= 'obj-0obj-1'.length, 'keys count as metadata')
  })

  it("answers d1StorageAdaptiveGroups with the database's file size, as the REST API gives it", async () => {
    const detail = await t.json(`/accounts/${t.accountId}/d1/database/${db}`)
    const fileSize = detail.body.result.file_size as number
    assert.ok(fileSize > 5000, `the file holds the rows (${fileSize} bytes)`)
    const groups = await graphql('d1StorageAdaptiveGroups', 'max { databaseSizeBytes } dimensions { databaseId date }')
    assert.deepEqual(groups.map((g) => [g.dimensions['databaseId'], g.max['databaseSizeBytes']]), [[db, fileSize]])
    assert.match(groups[0]!.dimensions['date']!, /^\d{4}-\d{2}-\d{2}$/)
  })

  it('answers durableObjectsStorageGroups with the bytes the account\'s objects store', async () => {
    const groups = await graphql('durableObjectsStorageGroups', 'max { storedBytes } dimensions { date }')
    assert.equal(groups.length, 1)
    const stored = groups[0]!.max['storedBytes']!
    assert.ok(stored >= 20_000 && stored < 200_000, `the object's database holds its 20 KB (${stored} bytes)`)
  })
})
