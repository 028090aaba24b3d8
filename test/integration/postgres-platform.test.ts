import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { jsonBody, startTestPlatform, type TestPlatform } from '../helpers/platform.js'
import { adminQuery, dropSchema, POSTGRES_URL, requirePostgres, TEST_SECRETS_KEY, uniqueSchemaName } from '../helpers/postgres.js'

const WORKER = 'export default { async fetch() { return new Response("from postgres") } }'

describe('the platform on PostgreSQL', () => {
  const schema = uniqueSchemaName()
  let t: TestPlatform | undefined
  before(async () => {
    await requirePostgres()
    t = await startTestPlatform({ storage: 'postgres', postgresUrl: POSTGRES_URL, postgresSchema: schema, secretsKey: TEST_SECRETS_KEY })
  })
  after(async () => {
    if (!t) return // PostgreSQL was not reachable: `before` already failed with the reason
    await t.close()
    await dropSchema(schema)
  })

  it('creates a namespace, uploads and reads back a script, and keeps KV values, all in PostgreSQL', async () => {
    const p = t!
    const account = `/accounts/${p.accountId}`
    const post = (path: string, body: unknown) =>
      p.json(`${account}${path}`, { method: 'POST', ...jsonBody(body) })
    const created = await post('/workers/dispatch/namespaces', { name: 'customers' })
    assert.equal(created.status, 200, JSON.stringify(created.body))

    const form = new FormData()
    form.append('metadata', JSON.stringify({ main_module: 'worker.js', tags: ['pg'] }))
    form.append('worker.js', new File([WORKER], 'worker.js', { type: 'application/javascript+module' }))
    const script = `${account}/workers/dispatch/namespaces/customers/scripts/hello`
    const uploaded = await p.json(script, { method: 'PUT', body: form })
    assert.equal(uploaded.status, 200, JSON.stringify(uploaded.body))
    assert.equal(await (await p.api(`${script}/content`)).text(), WORKER)
    const details = await p.json(script)
    assert.deepEqual(details.body.result.script.tags, ['pg'])

    const kv = await post('/storage/kv/namespaces', { title: 'sessions' })
    assert.equal(kv.status, 200, JSON.stringify(kv.body))
    const value = `${account}/storage/kv/namespaces/${kv.body.result.id}/values/${encodeURIComponent('user:ü')}`
    assert.equal((await p.json(value, { method: 'PUT', body: 'logged in' })).status, 200)
    assert.equal(await (await p.api(value)).text(), 'logged in')

    // The rows are in the schema this platform was given, not in a SQLite file.
    const rows = await adminQuery<{ scripts: number; entries: number }>(
      `SELECT (SELECT COUNT(*) FROM ${schema}.scripts)::int AS scripts,
              (SELECT COUNT(*) FROM ${schema}.kv_entries)::int AS entries`,
    )
    assert.deepEqual(rows, [{ scripts: 1, entries: 1 }])

    // Secrets are sealed in PostgreSQL with the operator's key, never stored in clear.
    const put = await p.json(`${script}/secrets`, { method: 'PUT', ...jsonBody({ name: 'PG_SECRET', text: 'pg-plain-4e7', type: 'secret_text' }) })
    assert.equal(put.status, 200, JSON.stringify(put.body))
    const stored = await adminQuery<{ bindings: string }>(`SELECT bindings::text AS bindings FROM ${schema}.script_versions`)
    const all = stored.map((r) => r.bindings).join('\n')
    assert.ok(!all.includes('pg-plain-4e7'), all)
    assert.match(all, /"sealed": ?"wh1:[0-9a-f]{8}:/)
  })
})
