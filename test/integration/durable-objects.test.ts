import assert from 'node:assert/strict'
import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { createNamespace, deployDispatcher, edge, namespaceScriptPath, putScript } from '../helpers/edge.js'
import { eventually } from '../helpers/eventually.js'
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js'
import { RawClient, upgradeHeaders } from './helpers/tail-client.js'

/** A chat room on the WebSocket hibernation API, and an object that never yields. */
const CHAT = `
import { DurableObject } from 'cloudflare:workers'
export class Room extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env)
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair('ping', 'pong'))
  }
  async fetch(request) {
    const url = new URL(request.url)
    if (url.pathname.endsWith('/loop')) while (true) {}
    if (url.pathname.endsWith('/count')) return new Response(String(((await this.ctx.storage.get('n')) ?? 0)))
    if (url.pathname.endsWith('/alarm')) {
      await this.ctx.storage.setAlarm(new Date(Date.now() + 10))
      return new Response('set')
    }
    if (url.pathname.endsWith('/alarms')) return Response.json({ runs: (await this.ctx.storage.get('runs')) ?? [], next: await this.ctx.storage.getAlarm(), name: (await this.ctx.storage.get('alarm-name')) ?? null })
    if (url.pathname.endsWith('/whoami')) return Response.json(this.whoami())
    const [client, server] = Object.values(new WebSocketPair())
    this.ctx.acceptWebSocket(server, [url.searchParams.get('user') ?? 'anon'])
    return new Response(null, { status: 101, webSocket: client })
  }
  whoami() {
    return { id: this.ctx.id.toString(), name: this.ctx.id.name ?? null, equals: this.ctx.id.equals(this.ctx.id) }
  }
  async alarm(info) {
    await this.ctx.storage.put('alarm-name', this.ctx.id.name)
    const runs = [...((await this.ctx.storage.get('runs')) ?? []), info.retryCount]
    await this.ctx.storage.put('runs', runs)
    if (!info.isRetry) throw new Error('first attempt fails')
  }
  async webSocketMessage(ws, message) {
    const n = ((await this.ctx.storage.get('n')) ?? 0) + 1
    await this.ctx.storage.put('n', n)
    const from = this.ctx.getTags(ws)[0]
    for (const peer of this.ctx.getWebSockets()) peer.send(from + ': ' + message + ' (' + this.ctx.getWebSockets().length + ' here, #' + n + ')')
  }
}
export default {
  async fetch(request, env) {
    const url = new URL(request.url)
    const room = url.pathname.split('/')[2]
    const via = url.searchParams.get('via')
    if (via === 'unique') return env.ROOMS.get(env.ROOMS.newUniqueId()).fetch(request)
    if (via === 'string') return env.ROOMS.get(env.ROOMS.idFromString(env.ROOMS.idFromName(room).toString())).fetch(request)
    if (via === 'rpc') return Response.json(await env.ROOMS.getByName(room).whoami())
    if (via === 'stub') {
      const stub = env.ROOMS.get(env.ROOMS.idFromName(room))
      return Response.json({ id: stub.id.toString(), name: stub.name, idName: stub.id.name ?? null })
    }
    return env.ROOMS.getByName(room).fetch(request)
  },
}
`

/** A class with storage, deleted by its script's next migration. */
const PADS = `
import { DurableObject } from 'cloudflare:workers'
export class Pad extends DurableObject {
  async fetch(request) {
    this.ctx.storage.sql.exec('CREATE TABLE IF NOT EXISTS notes (body TEXT)')
    this.ctx.storage.sql.exec('INSERT INTO notes VALUES (?)', 'x'.repeat(100_000))
    return new Response(String(this.ctx.storage.sql.exec('SELECT count(*) AS n FROM notes').one().n))
  }
}
export default { fetch(request, env) { return env.PADS.getByName(new URL(request.url).pathname.split('/')[2]).fetch(request) } }
`

/** The files in the objects directory, with their sizes. */
function objectFiles(dataDir: string): Map<string, number> {
  const dir = join(dataDir, 'objects')
  // A file may go between listing and stat (workerd deletes them as objects are reclaimed).
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).map((f) => [f, statSync(join(dir, f), { throwIfNoEntry: false })] as const)
  return new Map(files.flatMap(([f, s]) => (s?.isFile() ? [[f, s.size] as const] : [])))
}

const TEXT = 1
const CLOSE = 8

/** A WebSocket to the edge with the dispatcher's Host (standard clients may not set one). */
async function connect(t: TestPlatform, host: string, path: string) {
  const { client, response } = await RawClient.upgrade(t.platform.edgePort, path, { ...upgradeHeaders(), host })
  assert.equal(response.status, 101, response.body)
  return {
    send: (text: string) => client.send(TEXT, text, { mask: true }),
    next: async () => (await client.nextFrame()).payload.toString(),
    close: () => {
      client.send(CLOSE, Buffer.from([0x03, 0xe8]), { mask: true })
      client.destroy()
    },
  }
}

describe('Durable Objects: WebSockets, containment', () => {
  let t: TestPlatform
  let host: string

  before(async () => {
    t = await startTestPlatform()
    await createNamespace(t, 'prod')
    host = await deployDispatcher(t, 'prod')
    const res = await putScript(t, namespaceScriptPath(t, 'prod', 'chat'), CHAT, {
      bindings: [{ type: 'durable_object_namespace', name: 'ROOMS', class_name: 'Room' }],
      migrations: { new_tag: 'v1', new_sqlite_classes: ['Room'] },
    })
    assert.equal(res.status, 200, JSON.stringify(res.body))
  })
  after(async () => {
    await t?.close()
  })

  it('accepted WebSockets: tags, getWebSockets, auto-response, and messages to every peer', async () => {
    const alice = await connect(t, host, '/chat/lobby?user=alice')
    const bob = await connect(t, host, '/chat/lobby?user=bob')
    alice.send('ping')
    assert.equal(await alice.next(), 'pong')
    alice.send('hello')
    assert.equal(await alice.next(), 'alice: hello (2 here, #1)')
    assert.equal(await bob.next(), 'alice: hello (2 here, #1)')
    bob.close()
    alice.send('still there?')
    const seen = await alice.next()
    assert.match(seen, /^alice: still there\? \([12] here, #2\)$/)
    alice.close()
    assert.equal((await edge(t, host, '/chat/lobby/count')).text, '2')
  })

  it('an alarm whose handler throws is retried, with retryCount, until it succeeds', async () => {
    assert.equal((await edge(t, host, '/chat/clock/alarm')).text, 'set')
    const read = async () => JSON.parse((await edge(t, host, '/chat/clock/alarms')).text) as { runs: number[]; next: number | null }
    const done = await eventually(read, (v) => v.runs.length >= 2 && v.next === null)
    assert.deepEqual(done, { runs: [0, 1], next: null, name: 'clock' })
  })

  it('ctx.id is a DurableObjectId whose name is the one the id was made from, as on stubs', async () => {
    const whoami = async (path: string) => JSON.parse((await edge(t, host, path)).text) as { id: string; name: string | null; equals: boolean }
    const named = await whoami('/chat/atrium/whoami')
    assert.match(named.id, /^[0-9a-f]{64}$/)
    assert.deepEqual(named, { id: named.id, name: 'atrium', equals: true })
    assert.deepEqual(await whoami('/chat/atrium/whoami?via=rpc'), named)
    assert.deepEqual(JSON.parse((await edge(t, host, '/chat/atrium/x?via=stub')).text), { id: named.id, name: 'atrium', idName: 'atrium' })
    // The object keeps its name when reached through idFromString; a unique id has none.
    assert.deepEqual(await whoami('/chat/atrium/whoami?via=string'), named)
    const unique = await whoami('/chat/any/whoami?via=unique')
    assert.equal(unique.name, null)
    assert.notEqual(unique.id, named.id)
  })

  it('a deleted_classes migration deletes the class’s objects with their storage; other classes keep theirs', async () => {
    const path = namespaceScriptPath(t, 'prod', 'pads')
    const pads = { type: 'durable_object_namespace', name: 'PADS', class_name: 'Pad' }
    assert.equal((await putScript(t, path, PADS, { bindings: [pads], migrations: { new_tag: 'v1', new_sqlite_classes: ['Pad'] } })).status, 200)
    const before = objectFiles(t.dataDir)
    for (const pad of ['a', 'b', 'c']) assert.equal((await edge(t, host, `/pads/${pad}`)).text, '1')
    const created = [...objectFiles(t.dataDir)].filter(([f]) => !before.has(f))
    const bytes = (files: Array<[string, number]>) => files.reduce((n, [, size]) => n + size, 0)
    assert.ok(bytes(created) > 300_000, `the pads' storage is on disk: ${JSON.stringify(created)}`)

    const res = await putScript(t, path, 'export default { fetch() { return new Response("no pads") } }', {
      migrations: { old_tag: 'v1', new_tag: 'v2', deleted_classes: ['Pad'] },
    })
    assert.equal(res.status, 200, JSON.stringify(res.body))
    const left = await eventually(
      async () => [...objectFiles(t.dataDir)].filter(([f]) => !before.has(f)),
      (files) => files.every(([f]) => !/\.\d+\.sqlite/.test(f)),
    )
    // The classes' databases (facets, `<key>.<n>.sqlite`) are gone; workerd keeps each host's own emptied file.
    assert.deepEqual(left.filter(([f]) => /\.\d+\.sqlite/.test(f)), [])
    assert.ok(created.some(([f]) => /\.\d+\.sqlite/.test(f)), 'the facets had databases of their own')
    assert.equal((await edge(t, host, '/chat/lobby/count')).text, '2')

    // Deleting the script deletes its classes' objects too. A new class of the same name is a new namespace.
    assert.equal((await putScript(t, path, PADS, { bindings: [pads], migrations: { old_tag: 'v2', new_tag: 'v3', new_sqlite_classes: ['Pad'] } })).status, 200)
    assert.equal((await edge(t, host, '/pads/a')).text, '1')
    const facetFiles = () => [...objectFiles(t.dataDir).keys()].filter((f) => !before.has(f) && /\.\d+\.sqlite/.test(f))
    assert.notDeepEqual(facetFiles(), [])
    assert.equal((await t.json(path, { method: 'DELETE' })).status, 200)
    assert.deepEqual(await eventually(async () => facetFiles(), (files) => files.length === 0), [])
  })

  it('a version upload carrying a migration is refused with 10211; one whose migrations are applied already is stored', async () => {
    const versions = `${namespaceScriptPath(t, 'prod', 'chat')}/versions`
    const listed = async () => (await t.json(versions)).body.result.items.length as number
    const count = await listed()
    const upload = (migrations: unknown) => {
      const form = new FormData()
      const metadata = { main_module: 'index.js', compatibility_date: '2026-01-01', bindings: [{ type: 'durable_object_namespace', name: 'ROOMS', class_name: 'Room' }], migrations }
      form.set('metadata', JSON.stringify(metadata))
      form.set('index.js', new Blob([CHAT], { type: 'application/javascript+module' }), 'index.js')
      return t.json(versions, { method: 'POST', body: form })
    }
    const refused = await upload({ old_tag: 'v1', new_tag: 'v2', steps: [{ new_sqlite_classes: ['Annex'] }] })
    assert.equal(refused.status, 400)
    assert.equal(refused.body.errors[0].code, 10211)
    assert.equal(await listed(), count)
    assert.equal((await t.json(namespaceScriptPath(t, 'prod', 'chat'))).body.result.script.migration_tag, 'v1')
    const applied = await upload({ old_tag: 'v1', new_tag: 'v1', steps: [] })
    assert.equal(applied.status, 200, JSON.stringify(applied.body))
    assert.equal(await listed(), count + 1)
  })

  it('an object that never yields is stopped like any Worker, and the other objects keep their state', async () => {
    // The watchdog kills the process hosting it: the request fails one way or another.
    const looped = await edge(t, host, '/chat/spin/loop').catch(() => ({ status: 0 }))
    assert.notEqual(looped.status, 200)
    const count = await eventually(async () => (await edge(t, host, '/chat/lobby/count')).text, (v) => v === '2')
    assert.equal(count, '2')
  })
})
