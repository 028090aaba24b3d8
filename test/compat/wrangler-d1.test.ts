import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { jsonBody, startTestPlatform, type TestPlatform } from '../helpers/platform.js'
import { createWrangler, describeRun, succeeded, type Wrangler } from '../helpers/wrangler.js'

describe('wrangler d1 against Workerhive (--remote)', () => {
  let t: TestPlatform
  let w: Wrangler
  let id = ''
  before(async () => {
    t = await startTestPlatform()
    w = createWrangler(t)
  })
  after(async () => {
    w?.close()
    await t?.close()
  })

  const d1 = () => `/accounts/${t.accountId}/d1/database`
  const query = async (sql: string) => {
    const r = await t.json(`${d1()}/${id}/query`, { method: 'POST', ...jsonBody({ sql }) })
    assert.equal(r.status, 200, JSON.stringify(r.body))
    return r.body.result[0].results as Array<Record<string, unknown>>
  }

  it('d1 create prints the new database, d1 list and d1 info find it by name', async () => {
    const r = succeeded(await w.run(['d1', 'create', 'app-db']))
    id = /"?database_id"?\s*[:=]\s*"([0-9a-f-]{36})"/.exec(r.stdout)?.[1] ?? ''
    assert.ok(id, describeRun(r))
    const listed = JSON.parse(succeeded(await w.run(['d1', 'list', '--json'])).stdout) as Array<{ uuid: string; name: string }>
    assert.deepEqual(listed.map((d) => [d.uuid, d.name]), [[id, 'app-db']])
    const info = JSON.parse(succeeded(await w.run(['d1', 'info', 'app-db', '--json'])).stdout) as Record<string, unknown>
    assert.equal(info.uuid, id)
    assert.equal(info.num_tables, 0)
  })

  it('a second d1 create of the same name is refused with wrangler\'s own message', async () => {
    const r = await w.run(['d1', 'create', 'app-db'])
    assert.notEqual(r.code, 0, describeRun(r))
    assert.match(r.stderr + r.stdout, /A database with that name already exists/)
  })

  it('d1 migrations apply --remote runs each migration once and records it', async () => {
    w.write({
      'wrangler.toml': `name = "app"\nmain = "src/index.js"\ncompatibility_date = "2025-01-01"\n\n[[d1_databases]]\nbinding = "DB"\ndatabase_name = "app-db"\ndatabase_id = "${id}"\n`,
      'migrations/0001_users.sql': 'CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL);\nCREATE INDEX users_by_name ON users (name);\n',
      'migrations/0002_seed.sql': "INSERT INTO users (name) VALUES ('ada'), ('grace');\n",
    })
    const r = succeeded(await w.run(['d1', 'migrations', 'apply', 'app-db', '--remote']))
    assert.match(r.stdout, /0001_users\.sql/, describeRun(r))
    assert.deepEqual(await query('SELECT name FROM users ORDER BY id'), [{ name: 'ada' }, { name: 'grace' }])
    const applied = await query('SELECT name FROM d1_migrations ORDER BY id')
    assert.deepEqual(applied.map((m) => m.name), ['0001_users.sql', '0002_seed.sql'])

    const again = succeeded(await w.run(['d1', 'migrations', 'apply', 'app-db', '--remote']))
    assert.match(again.stdout, /No migrations to apply/, describeRun(again))
    assert.equal((await query('SELECT count(*) AS n FROM users'))[0]!.n, 2)
  })

  it('d1 execute --remote --command prints rows as JSON, and a bad statement fails with SQLite\'s error', async () => {
    const r = succeeded(await w.run(['d1', 'execute', 'app-db', '--remote', '--json', '--command', "SELECT name FROM users WHERE name = 'ada'"]))
    const out = JSON.parse(r.stdout) as Array<{ results: unknown[]; success: boolean }>
    assert.deepEqual(out[0]!.results, [{ name: 'ada' }])

    const bad = await w.run(['d1', 'execute', 'app-db', '--remote', '--command', 'SELECT * FROM nowhere'])
    assert.notEqual(bad.code, 0, describeRun(bad))
    assert.match(bad.stderr + bad.stdout, /no such table: nowhere: SQLITE_ERROR \[code: 7500\]/)
  })

  it('d1 execute --remote --file imports the file in one transaction', async () => {
    w.write({ 'seed.sql': "INSERT INTO users (name) VALUES ('linus');\nINSERT INTO users (name) VALUES ('barbara');\n" })
    const r = succeeded(await w.run(['d1', 'execute', 'app-db', '--remote', '--file', 'seed.sql', '--yes']))
    assert.match(r.stdout, /Executed 2 queries/, describeRun(r))
    assert.equal((await query('SELECT count(*) AS n FROM users'))[0]!.n, 4)

    // A file that fails half-way leaves nothing of itself behind.
    w.write({ 'broken.sql': "INSERT INTO users (name) VALUES ('half');\nINSERT INTO users (nope) VALUES (1);\n" })
    const broken = await w.run(['d1', 'execute', 'app-db', '--remote', '--file', 'broken.sql', '--yes'])
    assert.notEqual(broken.code, 0, describeRun(broken))
    assert.equal((await query("SELECT count(*) AS n FROM users WHERE name = 'half'"))[0]!.n, 0)
  })

  it('d1 export --remote downloads SQL that rebuilds the database', async () => {
    const r = succeeded(await w.run(['d1', 'export', 'app-db', '--remote', '--output', 'dump.sql']))
    assert.match(r.stdout, /Downloaded to dump\.sql/, describeRun(r))
    const { readFileSync } = await import('node:fs')
    const dump = readFileSync(`${w.dir}/dump.sql`, 'utf8')
    assert.match(dump, /CREATE TABLE users/)
    assert.match(dump, /INSERT INTO "users" VALUES\(1,'ada'\);/)
  })

  it('d1 delete removes the database; its id then answers 7404', async () => {
    succeeded(await w.run(['d1', 'delete', 'app-db', '-y']))
    const gone = await t.json(`${d1()}/${id}`)
    assert.equal(gone.status, 404)
    assert.equal(gone.body.errors[0].code, 7404)
  })
})
