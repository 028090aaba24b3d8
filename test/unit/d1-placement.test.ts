import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { getRequestListener } from '@hono/node-server'
import { d1ClusterHandler } from '../../src/d1/cluster.js'
import { D1Service } from '../../src/d1/service.js'
import type { AccountId, D1DatabaseId } from '../../src/domain/ids.js'
import { ClusterClient, clusterKeys, ClusterRoutes } from '../../src/runtime/placement/cluster.js'
import { PageReplica } from '../../src/runtime/placement/pages.js'
import { Placement } from '../../src/runtime/placement/placement.js'
import { secretsKey } from '../../src/secrets/sealer.js'
import { openSqliteStore } from '../../src/storage/sqlite/index.js'
import { systemClock } from '../../src/util/clock.js'

// Three D1 services, each with its own data dir and cluster route, over one shared store (no
// workerd): calls reach the owner wherever they enter, and a caller whose idea of the owner is
// out of date is told so (409) and finds the new owner through the store.
describe('D1 calls between nodes', () => {
  const store = openSqliteStore({ file: ':memory:' })
  const keys = clusterKeys({ current: secretsKey(Buffer.alloc(32, 7)), previous: [] })
  const dirs: string[] = []
  const servers: Server[] = []
  const services: D1Service[] = []

  async function node(name: string) {
    const server = createServer()
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const address = `http://127.0.0.1:${(server.address() as { port: number }).port}`
    const placement = new Placement({ store: store.placement, node: name, address, clock: systemClock })
    const dataDir = mkdtempSync(join(tmpdir(), `workerhive-d1-${name}-`))
    const service = new D1Service({
      store: store.d1,
      dataDir,
      engine: { processes: 1 },
      cluster: { placement, replica: new PageReplica({ store: store.placement }), client: new ClusterClient({ keys, clock: systemClock, timeoutMs: 10_000 }) },
    })
    const routes = new ClusterRoutes(keys, systemClock)
    routes.on('d1', d1ClusterHandler(service))
    server.on('request', getRequestListener((req) => routes.fetch(req)))
    dirs.push(dataDir)
    servers.push(server)
    services.push(service)
    return { service, placement }
  }

  after(async () => {
    for (const s of services) await s.close()
    for (const s of servers) await new Promise((r) => s.close(r))
    for (const d of dirs) rmSync(d, { recursive: true, force: true })
    await store.close()
  })

  const db = { id: '0b6c1c2e-7d3f-4a57-9d0e-3d5f5f0e9a11' as D1DatabaseId, accountId: 'acc' as AccountId, name: 'x', createdOn: '' }
  const sql = (s: string, params: Array<string | number> = []) => ({ sql: s, params })
  const values = async (service: D1Service) => {
    const out = await service.query(db, [sql('SELECT v FROM t ORDER BY v')])
    assert.equal(out.ok, true, JSON.stringify(out))
    return out.results[0]!.rows.map((r) => r[0])
  }

  it('forwards to the owner, and follows the lease when it moved under a caller', async () => {
    const a = await node('a')
    const b = await node('b')
    const c = await node('c')
    assert.equal((await a.service.query(db, [sql('CREATE TABLE t (v INTEGER)'), sql('INSERT INTO t VALUES (1)')])).ok, true)
    // b's write goes to a (b learns and remembers a's lease).
    assert.equal((await b.service.query(db, [sql('INSERT INTO t VALUES (?)', [2])])).ok, true)
    assert.equal(a.placement.holds(`d1:${db.id}`), true)
    assert.deepEqual(await values(b.service), [1, 2])
    // a stops cleanly; c takes the database over, rebuilt from the stored pages.
    await a.placement.stop()
    assert.deepEqual(await values(c.service), [1, 2])
    assert.equal(c.placement.holds(`d1:${db.id}`), true)
    // b still believes a owns it: a answers 409, b asks the store and reaches c.
    assert.equal((await b.service.query(db, [sql('INSERT INTO t VALUES (3)')])).ok, true)
    assert.deepEqual(await values(c.service), [1, 2, 3])
    await c.placement.stop()
  })
})
