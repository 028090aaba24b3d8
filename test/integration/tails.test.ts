import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, it } from 'node:test'
import { TailSessions, type TailChange } from '../../src/api/tail/sessions.js'
import { handleTailUpgrade } from '../../src/api/tail/upgrade.js'
import { OPCODE } from '../../src/api/tail/websocket.js'
import { EventHub } from '../../src/runtime/events.js'
import { systemClock } from '../../src/util/clock.js'
import { createLogger } from '../../src/util/logger.js'
import { createNamespace, deployDispatcher, edge, namespaceScriptPath, putScript } from '../helpers/edge.js'
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js'
import { expectedAccept, openTail, RawClient, upgradeHeaders, webSocketKey } from './helpers/tail-client.js'

const DISPATCHER = `
export default {
  async fetch(request, env) {
    const url = new URL(request.url)
    console.log('dispatcher saw', url.pathname)
    if (url.pathname === '/boom') throw new Error('dispatcher exploded')
    return env.dispatcher.get(url.pathname.split('/')[1]).fetch(request)
  },
}
`
const TENANT = 'export default { fetch() { return new Response("tenant ok") } }'

const closeCode = (payload: Buffer): number => payload.readUInt16BE(0)

describe('tail sessions and their WebSockets on the API server', () => {
  let t: TestPlatform
  let host: string
  before(async () => {
    t = await startTestPlatform()
    await createNamespace(t, 'tenants')
    host = await deployDispatcher(t, 'tenants', DISPATCHER)
    await putScript(t, namespaceScriptPath(t, 'tenants', 'tenant'), TENANT)
  })
  after(() => t?.close())

  const tails = () => `/accounts/${t.accountId}/workers/scripts/dispatcher/tails`
  const startTail = async (filters: unknown[] = []) => {
    const res = await t.json(tails(), { method: 'POST', body: JSON.stringify({ filters }), headers: { 'content-type': 'text/plain' } })
    assert.equal(res.status, 200, JSON.stringify(res.body))
    return res.body.result as { id: string; url: string; expires_at: string }
  }
  const socketPath = (url: string) => {
    const u = new URL(url)
    return u.pathname + u.search
  }

  it("speaks trace-v1 to a client that does not mask its frames, answers pings and honours the client's close", async () => {
    const tail = await startTail()
    const key = webSocketKey()
    const { client, response } = await RawClient.upgrade(t.platform.apiPort, socketPath(tail.url), upgradeHeaders(key))
    assert.equal(response.status, 101)
    assert.equal(response.headers['sec-websocket-protocol'], 'trace-v1')
    assert.equal(response.headers['sec-websocket-accept'], expectedAccept(key))

    // wrangler's first frame, unmasked; then its keep-alive ping, unmasked and masked.
    client.send(OPCODE.text, '{"debug":false}', { mask: false })
    client.send(OPCODE.ping, 'wrangler tail ping', { mask: false })
    let frame = await client.nextFrame()
    assert.deepEqual([frame.opcode, frame.payload.toString()], [OPCODE.pong, 'wrangler tail ping'])
    client.send(OPCODE.ping, 'masked ping', { mask: true })
    frame = await client.nextFrame()
    assert.deepEqual([frame.opcode, frame.payload.toString()], [OPCODE.pong, 'masked ping'])

    assert.equal((await edge(t, host, '/tenant/raw')).text, 'tenant ok')
    frame = await client.nextFrame()
    assert.equal(frame.opcode, OPCODE.text)
    const event = JSON.parse(frame.payload.toString())
    assert.equal(event.scriptName, 'dispatcher')
    assert.deepEqual(event.logs[0].message, ['dispatcher saw', '/tenant/raw'])

    const disconnected = new Promise<TailChange>((resolve) => {
      const off = t.platform.tails.onChange((c) => c.kind === 'disconnected' && (off(), resolve(c)))
    })
    const close = Buffer.alloc(2)
    close.writeUInt16BE(1000)
    client.send(OPCODE.close, close, { mask: false })
    frame = await client.nextFrame()
    assert.deepEqual([frame.opcode, closeCode(frame.payload)], [OPCODE.close, 1000])
    await client.ended
    assert.equal((await disconnected).session.id, tail.id)

    // The URL's token opened one socket; it opens no other, though the tail lives until deleted.
    const again = await RawClient.upgrade(t.platform.apiPort, socketPath(tail.url), upgradeHeaders())
    assert.equal(again.response.status, 401)
    assert.equal(JSON.parse(again.response.body).errors[0].code, 10000)
    assert.equal((await t.json(`${tails()}/${tail.id}`, { method: 'DELETE' })).status, 200)
  })

  it('refuses upgrades that do not name a live tail with its own token', async () => {
    const tail = await startTail()
    const url = new URL(tail.url)
    const attempt = async (path: string, headers = upgradeHeaders()) => {
      const { response } = await RawClient.upgrade(t.platform.apiPort, path, headers)
      return { status: response.status, code: response.body ? JSON.parse(response.body).errors[0].code : undefined, response }
    }
    const wrongToken = await attempt(`${url.pathname}?token=guess`)
    assert.deepEqual([wrongToken.status, wrongToken.code], [401, 10000])
    const noToken = await attempt(url.pathname)
    assert.deepEqual([noToken.status, noToken.code], [401, 10000])
    const unknown = await attempt(`${url.pathname.replace(tail.id, '0'.repeat(32))}${url.search}`)
    assert.deepEqual([unknown.status, unknown.code], [404, 10007])
    const otherScript = await attempt(`${url.pathname.replace('/scripts/dispatcher/', '/scripts/other/')}${url.search}`)
    assert.deepEqual([otherScript.status, otherScript.code], [404, 10007])
    const notATail = await attempt('/client/v4/user')
    assert.deepEqual([notATail.status, notATail.code], [404, 7000])
    const noKey = await attempt(socketPath(tail.url), { ...upgradeHeaders(), 'Sec-WebSocket-Key': 'short' })
    assert.deepEqual([noKey.status, noKey.code], [400, 10021])
    const oldVersion = await attempt(socketPath(tail.url), { ...upgradeHeaders(), 'Sec-WebSocket-Version': '8' })
    assert.deepEqual([oldVersion.status, oldVersion.response.headers['sec-websocket-version']], [400, '13'])

    // None of those spent the token.
    const client = await openTail(tail.url)
    assert.equal(client.socket.protocol, 'trace-v1')
    await t.json(`${tails()}/${tail.id}`, { method: 'DELETE' })
    assert.equal((await client.closed).code, 1000)
  })

  it('sends only the events that pass every filter wrangler can send', async () => {
    const sessions = {
      all: await startTail(),
      errors: await startTail([{ outcome: ['exception', 'exceededCpu', 'exceededMemory', 'unknown'] }]),
      search: await startTail([{ query: 'needle' }]),
      header: await startTail([{ header: { key: 'X-Tenant', query: 'blue' } }]),
      self: await startTail([{ client_ip: ['self'] }, { method: ['get'] }, { sampling_rate: 1 }]),
      elsewhere: await startTail([{ client_ip: ['203.0.113.9'] }]),
      posts: await startTail([{ method: ['POST'] }]),
    }
    const clients = Object.fromEntries(
      await Promise.all(Object.entries(sessions).map(async ([k, s]) => [k, await openTail(s.url)] as const)),
    )
    await edge(t, host, '/tenant/needle', { headers: { 'x-tenant': 'navy-blue' } })
    await edge(t, host, '/boom')
    await clients.all!.received(2)
    // Every socket saw the same two events at the same moment; a close after them ends each stream.
    const seen: Record<string, string[]> = {}
    for (const [name, s] of Object.entries(sessions)) {
      await t.json(`${tails()}/${s.id}`, { method: 'DELETE' })
      await clients[name]!.closed
      seen[name] = clients[name]!.messages.map((m) => (m.event as { request: { url: string } }).request.url.replace(`http://${host}`, '')).sort()
    }
    assert.deepEqual(seen, {
      all: ['/boom', '/tenant/needle'],
      errors: ['/boom'],
      search: ['/tenant/needle'],
      header: ['/tenant/needle'],
      self: ['/boom', '/tenant/needle'],
      elsewhere: [],
      posts: [],
    })
  })

  it('validates the body of a new tail and answers unknown tails with 10007', async () => {
    const post = (body: string) => t.json(tails(), { method: 'POST', body, headers: { 'content-type': 'text/plain' } })
    const bogus = await post('{"filters":[{"bogus":1}]}')
    assert.deepEqual([bogus.status, bogus.body.errors[0].code], [400, 10021])
    const notJson = await post('{filters')
    assert.deepEqual([notJson.status, notJson.body.errors[0].code], [400, 10026])
    const empty = await post('')
    assert.equal(empty.status, 200)
    await t.json(`${tails()}/${empty.body.result.id}`, { method: 'DELETE' })

    const missing = await t.json(`${tails()}/${'f'.repeat(32)}`, { method: 'DELETE' })
    assert.deepEqual([missing.status, missing.body.errors[0].code], [404, 10007])
    // A tail is deleted through its own script's path only.
    const own = await startTail()
    const elsewhere = await t.json(`${namespaceScriptPath(t, 'tenants', 'tenant')}/tails/${own.id}`, { method: 'DELETE' })
    assert.equal(elsewhere.status, 404)
    assert.equal((await t.json(tails())).body.result.length, 1)
    await t.json(`${tails()}/${own.id}`, { method: 'DELETE' })

    const other = await t.otherAccount()
    const foreign = await t.json(tails(), { method: 'POST', body: '{"filters":[]}', token: other.token })
    assert.deepEqual([foreign.status, foreign.body.errors[0].code], [403, 10000])
  })
})

describe('tail sessions outside the platform: expiry and shutdown', () => {
  let server: Server
  let sessions: TailSessions
  let events: EventHub
  let base: string
  const ref = { accountId: 'acct', namespaceId: '', script: 'worker' }
  before(async () => {
    events = new EventHub()
    const log = createLogger('silent')
    sessions = new TailSessions({ events, clock: systemClock, log, ttlMs: 1500 })
    server = createServer((_req, res) => res.end())
    server.on('upgrade', (req, socket, head) => handleTailUpgrade({ sessions, log }, req, socket, head))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    base = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/client/v4/accounts/acct/workers/scripts/worker/tails`
  })
  after(() => new Promise<void>((resolve) => server.close(() => resolve())))

  const create = () => sessions.create({ ref, namespaceName: null, filters: [], creatorIp: undefined, socketBase: base })

  it('an expired tail closes its socket normally, stops listening and leaves the list', async () => {
    const ended = new Promise<TailChange>((resolve) => {
      const off = sessions.onChange((c) => c.kind === 'ended' && (off(), resolve(c)))
    })
    const session = create()
    const client = await openTail(session.url)
    events.publish(ref, [{ outcome: 'ok', logs: [{ message: ['before expiry'], level: 'log', timestamp: 1 }] }])
    await client.received(1)
    assert.equal(client.messages[0]!.scriptName, 'worker')

    assert.deepEqual(await client.closed, { code: 1000, reason: 'tail expired' })
    assert.equal((await ended).session.id, session.id)
    assert.deepEqual(sessions.list(ref), [])
    events.publish(ref, [{ outcome: 'ok' }])
    assert.equal(client.messages.length, 1)
  })

  it('closeAll tells connected clients the server is going away', async () => {
    const client = await openTail(create().url)
    sessions.closeAll()
    assert.equal((await client.closed).code, 1001)
    assert.deepEqual(sessions.list(ref), [])
  })
})
