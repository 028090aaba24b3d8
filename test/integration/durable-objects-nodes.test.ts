import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { request } from 'undici'
import { createNamespace, deployDispatcher, namespaceScriptPath, putScript } from '../helpers/edge.js'
import { jsonBody, startTestPlatform, type TestPlatform } from '../helpers/platform.js'
import { objectStorageByNamespace } from '../../src/runtime/object-storage.js'
import { OBJECTS_UNIQUE_KEY } from '../../src/runtime/workerd-config.js'
import { dropSchema, POSTGRES_URL, requirePostgres, TEST_SECRETS_KEY, uniqueSchemaName } from '../helpers/postgres.js'
import { killServerProcess, startServerProcess, type ServerProcess } from '../helpers/server-process.js'

/**
 * A counter whose answers name the instance (made in its constructor), through fetch and RPC, with
 * an alarm that marks another object (the witness), so the test sees it ran without calling it.
 */
const COUNTER = `
import { DurableObject } from 'cloudflare:workers'
export class Counter extends DurableObject {
  instance = crypto.randomUUID()
  async increment() {
    const n = ((await this.ctx.storage.get('n')) ?? 0) + 1
    await this.ctx.storage.put('n', n)
    return { n, instance: this.instance }
  }
  async fetch(request) {
    const path = new URL(request.url).pathname
    if (path.endsWith('/alarm')) {
      await this.ctx.storage.setAlarm(Date.now() + 1000)
      return Response.json({ alarm: await this.ctx.storage.getAlarm() })
    }
    if (path.endsWith('/alarmed')) return Response.json({ alarmed: (await this.ctx.storage.get('alarmed')) ?? false })
    if (path.endsWith('/mark')) await this.ctx.storage.put('marked', true)
    if (path.endsWith('/marked') || path.endsWith('/mark')) return Response.json({ marked: (await this.ctx.storage.get('marked')) ?? false })
    return Response.json(await this.increment())
  }
  async alarm() {
    await this.ctx.storage.put('alarmed', true)
    await (await this.env.COUNTERS.getByName('witness').fetch('http://witness/mark')).text()
  }
}
export default {
  async fetch(request, env) {
    const stub = env.COUNTERS.getByName(new URL(request.url).pathname.includes('/witness/') ? 'witness' : 'shared')
    if (new URL(request.url).pathname.endsWith('/rpc')) return Response.json(await stub.increment())
    return stub.fetch(request)
  },
}
`

/** Leases this short make the takeover after kill -9 quick. */
const LEASE_MS = 1500

/** A second node: `workerhive start` in a process of its own (so kill -9 takes its workerd too). */
const startNode = (dataDir: string, schema: string): Promise<ServerProcess> =>
  startServerProcess(dataDir, {
    args: ['--storage', 'postgres', '--postgres-url', POSTGRES_URL, '--postgres-schema', schema],
    env: { WORKERHIVE_SECRETS_KEY: TEST_SECRETS_KEY, WORKERHIVE_PLACEMENT_LEASE_MS: String(LEASE_MS) },
  })

async function call(edgePort: number, host: string, path: string): Promise<{ status: number; text: string }> {
  const res = await request(`http://127.0.0.1:${edgePort}${path}`, { headers: { host }, headersTimeout: 20_000, bodyTimeout: 20_000 })
  return { status: res.statusCode, text: await res.body.text() }
}

async function count(edgePort: number, host: string, path = '/counter/inc'): Promise<{ n: number; instance: string }> {
  const res = await call(edgePort, host, path)
  assert.equal(res.status, 200, res.text)
  return JSON.parse(res.text)
}

describe('Durable Objects on two nodes sharing PostgreSQL', () => {
  const schema = uniqueSchemaName()
  const dataDir = mkdtempSync(join(tmpdir(), 'workerhive-do-node-'))
  let a: TestPlatform | undefined
  let b: ServerProcess | undefined
  let host = ''

  before(async () => {
    await requirePostgres()
    a = await startTestPlatform({ storage: 'postgres', postgresUrl: POSTGRES_URL, postgresSchema: schema, secretsKey: TEST_SECRETS_KEY, placementLeaseMs: LEASE_MS })
    await createNamespace(a, 'objects')
    host = await deployDispatcher(a, 'objects')
    const res = await putScript(a, namespaceScriptPath(a, 'objects', 'counter'), COUNTER, {
      bindings: [{ type: 'durable_object_namespace', name: 'COUNTERS', class_name: 'Counter' }],
      migrations: { new_tag: 'v1', new_sqlite_classes: ['Counter'] },
    })
    assert.equal(res.status, 200, JSON.stringify(res.body))
    b = await startNode(dataDir, schema)
  })
  after(async () => {
    if (b) await killServerProcess(b)
    await a?.close()
    if (a) await dropSchema(schema)
    rmSync(dataDir, { recursive: true, force: true })
  })

  it('one object answers from one place through both nodes, and survives kill -9 of its owner', async () => {
    const edgeA = a!.platform.edgePort
    // Node B is asked first, so it owns the object; node A forwards fetch and RPC to it.
    const first = await count(b!.edgePort, host)
    assert.equal(first.n, 1)
    assert.deepEqual(await count(edgeA, host), { n: 2, instance: first.instance }, 'node A reached the same instance')
    assert.deepEqual(await count(edgeA, host, '/counter/rpc'), { n: 3, instance: first.instance }, 'RPC through node A too')
    assert.deepEqual(await count(b!.edgePort, host), { n: 4, instance: first.instance })
    // Twenty at once, half through each node: one instance counts every one of them once.
    const burst = await Promise.all(Array.from({ length: 20 }, (_, i) => count(i % 2 ? edgeA : b!.edgePort, host)))
    assert.deepEqual(burst.map((r) => r.n).sort((x, y) => x - y), Array.from({ length: 20 }, (_, i) => 5 + i))
    assert.ok(burst.every((r) => r.instance === first.instance))
    // An alarm set on the owner, due after it dies: the next owner must run it, with no call to
    // the object. The witness it marks lives on node A (asked there first).
    assert.deepEqual(JSON.parse((await call(edgeA, host, '/counter/witness/marked')).text), { marked: false })
    const armed = await call(edgeA, host, '/counter/alarm')
    assert.equal(armed.status, 200, armed.text)

    await killServerProcess(b!)
    let marked = false
    for (let i = 0; i < 100 && !marked; i++) {
      marked = JSON.parse((await call(edgeA, host, '/counter/witness/marked')).text).marked
      if (!marked) await new Promise((r) => setTimeout(r, 200))
    }
    assert.ok(marked, 'the alarm set on the dead owner ran on node A before any call reached its object')
    // Until B's lease runs out, node A cannot reach the owner; then it takes the object over.
    let after: { n: number; instance: string } | undefined
    for (let i = 0; i < 100 && !after; i++) {
      const res = await call(edgeA, host, '/counter/inc')
      if (res.status === 200) after = JSON.parse(res.text)
      else await new Promise((r) => setTimeout(r, 200))
    }
    assert.ok(after, 'node A took the object over')
    assert.equal(after.n, 25, 'every acknowledged increment survived')
    assert.notEqual(after.instance, first.instance, 'a new instance, on node A')
    assert.deepEqual(await count(edgeA, host, '/counter/rpc'), { n: 26, instance: after.instance })
    assert.deepEqual(JSON.parse((await call(edgeA, host, '/counter/alarmed')).text), { alarmed: true }, 'it ran in the object itself')
  })

  it("samples the objects' storage bytes from their images in the shared store, as their files hold them", async () => {
    // Both objects live on node A now: its files are the reference the images must agree with.
    const local = [...(await objectStorageByNamespace(join(a!.dataDir, 'objects', OBJECTS_UNIQUE_KEY))).values()].reduce((n, b) => n + b, 0)
    assert.ok(local > 0)
    await a!.platform.storageSampler.sweep()
    const query = `query ($tag: string) { viewer { accounts(filter: { accountTag: $tag }) { durableObjectsStorageGroups(limit: 10) { max { storedBytes } } } } }`
    const res = await a!.json('/graphql', { method: 'POST', ...jsonBody({ query, variables: { tag: a!.accountId } }) })
    assert.equal(res.body.errors, null, JSON.stringify(res.body.errors))
    assert.deepEqual(res.body.data.viewer.accounts[0].durableObjectsStorageGroups, [{ max: { storedBytes: local } }])
  })
})
