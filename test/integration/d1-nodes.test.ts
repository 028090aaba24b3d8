import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { createNamespace, deployDispatcher, edge, namespaceScriptPath, putScript } from '../helpers/edge.js'
import { jsonBody, startTestPlatform, type TestPlatform } from '../helpers/platform.js'
import { dropSchema, POSTGRES_URL, requirePostgres, TEST_SECRETS_KEY, uniqueSchemaName } from '../helpers/postgres.js'
import { killServerProcess, startServerProcess, type ServerProcess } from '../helpers/server-process.js'

// D1 on two nodes sharing PostgreSQL: node A (its own process, so it can be killed with -9) owns
// the database; node B's binding and REST calls are forwarded to it. After kill -9 of A, B takes
// the database over once A's lease runs out, rebuilt from the replicated pages, with every write
// that was acknowledged.
const LEASE_MS = 1500

const WORKER = `
export default {
  async fetch(request, env) {
    const n = Number(new URL(request.url).searchParams.get('n'))
    try {
      await env.DB.prepare('INSERT INTO acked (n, via) VALUES (?, ?)').bind(n, 'binding').run()
      return new Response('ok')
    } catch (e) { return new Response(e.message, { status: 500 }) }
  },
}`

/** Node A: `workerhive start` on PostgreSQL in a process of its own, so kill -9 takes its workerd too. */
const startNodeA = (dataDir: string, schema: string): Promise<ServerProcess> =>
  startServerProcess(dataDir, {
    args: ['--storage', 'postgres', '--postgres-url', POSTGRES_URL, '--postgres-schema', schema, '--edge-processes', '1'],
    env: { WORKERHIVE_SECRETS_KEY: TEST_SECRETS_KEY, WORKERHIVE_PLACEMENT_LEASE_MS: String(LEASE_MS) },
  })

describe('D1 on two nodes sharing PostgreSQL', () => {
  const schema = uniqueSchemaName()
  const dataDirA = mkdtempSync(join(tmpdir(), 'workerhive-d1-node-a-'))
  let a: ServerProcess | undefined
  let b: TestPlatform | undefined

  before(async () => {
    await requirePostgres()
    a = await startNodeA(dataDirA, schema)
    b = await startTestPlatform({ storage: 'postgres', postgresUrl: POSTGRES_URL, postgresSchema: schema, secretsKey: TEST_SECRETS_KEY, placementLeaseMs: LEASE_MS, edgeProcesses: 1 })
  })
  after(async () => {
    if (a) await killServerProcess(a)
    await b?.close()
    rmSync(dataDirA, { recursive: true, force: true })
    await dropSchema(schema)
  })

  it("B's binding and REST writes land on owner A; after kill -9 of A, B serves every acknowledged one", async () => {
    const nodeB = b!
    const aOrigin = new URL(a!.apiUrl).origin
    const onA = (path: string, body: unknown) =>
      fetch(`${a!.apiUrl}${path}`, { method: 'POST', headers: { authorization: `Bearer ${nodeB.token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) })
    // A creates the database and takes it (its first call on the file claims the lease).
    const created = await (await onA(`/accounts/${nodeB.accountId}/d1/database`, { name: 'orders' })).json() as { result: { uuid: string } }
    const db = created.result.uuid
    assert.equal((await onA(`/accounts/${nodeB.accountId}/d1/database/${db}/query`, { sql: 'CREATE TABLE acked (n INTEGER PRIMARY KEY, via TEXT)' })).status, 200)
    const lease = await nodeB.platform.store.placement.getLease(`d1:${db}`)
    assert.equal(lease?.address, aOrigin, 'node A owns the database')

    await createNamespace(nodeB, 'shop')
    const up = await putScript(nodeB, namespaceScriptPath(nodeB, 'shop', 'orders'), WORKER, { bindings: [{ type: 'd1', name: 'DB', id: db }] })
    assert.equal(up.status, 200, JSON.stringify(up.body))
    const host = await deployDispatcher(nodeB, 'shop')

    const query = (sql: string, params: unknown[] = []) => nodeB.json(`/accounts/${nodeB.accountId}/d1/database/${db}/query`, { method: 'POST', ...jsonBody({ sql, params }) })
    // Writers through B's binding and B's REST API, until told to stop; a write counts once B said it succeeded.
    const acknowledged: number[] = []
    let next = 0
    let stop = false
    const writer = (via: 'binding' | 'rest') => async () => {
      while (!stop) {
        const n = next++
        try {
          if (via === 'binding') {
            const res = await edge(nodeB, host, `/orders?n=${n}`)
            if (res.status === 200) acknowledged.push(n)
          } else {
            const res = await query("INSERT INTO acked (n, via) VALUES (?, 'rest')", [n])
            if (res.status === 200 && res.body.success) acknowledged.push(n)
          }
        } catch {
          // a failed call is simply not acknowledged
        }
      }
    }
    const writers = [writer('binding')(), writer('rest')()]
    while (acknowledged.length < 20) await new Promise((r) => setTimeout(r, 20))
    assert.equal(existsSync(join(nodeB.dataDir, 'd1', `${db}.sqlite`)), false, 'node B forwarded: it has no copy of its own')

    // kill -9 of the owner while both writers keep going.
    await killServerProcess(a!)
    const ackedBeforeKill = acknowledged.length
    // B takes over after A's lease: wait until B has acknowledged writes of its own.
    const deadline = Date.now() + 30_000
    while (acknowledged.length < ackedBeforeKill + 10 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
    stop = true
    await Promise.all(writers)
    assert.ok(acknowledged.length >= ackedBeforeKill + 10, `node B took over (acknowledged ${acknowledged.length}, ${ackedBeforeKill} before the kill)`)
    assert.notEqual((await nodeB.platform.store.placement.getLease(`d1:${db}`))?.address, aOrigin, 'the lease moved to node B')
    assert.equal(existsSync(join(nodeB.dataDir, 'd1', `${db}.sqlite`)), true, 'node B rebuilt the file from the stored pages')

    const rows = await query('SELECT n, via FROM acked ORDER BY n')
    assert.equal(rows.status, 200, JSON.stringify(rows.body))
    const stored = new Set((rows.body.result[0].results as Array<{ n: number }>).map((r) => r.n))
    const lost = acknowledged.filter((n) => !stored.has(n))
    assert.deepEqual(lost, [], 'every acknowledged write is there')
    const vias = new Set((rows.body.result[0].results as Array<{ via: string }>).map((r) => r.via))
    assert.deepEqual([...vias].sort(), ['binding', 'rest'])

    // Deleting the database drops its replicated pages and its lease with it.
    assert.equal((await nodeB.json(`/accounts/${nodeB.accountId}/d1/database/${db}`, { method: 'DELETE' })).status, 200)
    assert.equal(await nodeB.platform.store.placement.getImage(`d1:${db}`), undefined)
    assert.equal(await nodeB.platform.store.placement.getLease(`d1:${db}`), undefined)
    assert.equal(existsSync(join(nodeB.dataDir, 'd1', `${db}.sqlite`)), false)
  })
})
