import assert from 'node:assert/strict'
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
    if (url.pathname.endsWith('/alarms')) return Response.json({ runs: (await this.ctx.storage.get('runs')) ?? [], next: await this.ctx.storage.getAlarm() })
    const [client, server] = Object.values(new WebSocketPair())
    this.ctx.acceptWebSocket(server, [url.searchParams.get('user') ?? 'anon'])
    return new Response(null, { status: 101, webSocket: client })
  }
  async alarm(info) {
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
  fetch(request, env) {
    const room = new URL(request.url).pathname.split('/')[2]
    return env.ROOMS.getByName(room).fetch(request)
  },
}
`

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
    assert.deepEqual(done, { runs: [0, 1], next: null })
  })

  it('an object that never yields is stopped like any Worker, and the other objects keep their state', async () => {
    // The watchdog kills the process hosting it: the request fails one way or another.
    const looped = await edge(t, host, '/chat/spin/loop').catch(() => ({ status: 0 }))
    assert.notEqual(looped.status, 200)
    const count = await eventually(async () => (await edge(t, host, '/chat/lobby/count')).text, (v) => v === '2')
    assert.equal(count, '2')
  })
})
