import assert from 'node:assert/strict'
import { connect, type Socket } from 'node:net'
import { after, before, describe, it } from 'node:test'
import { accountScriptPath, defaultHost, edge, putScript } from '../helpers/edge.js'
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js'
import { MB, streamPost } from '../helpers/stream-body.js'


/** Opens `count` connections to the API port that send part of a request head, or nothing. */
async function idleConnections(port: number, count: number): Promise<{ sockets: Socket[]; closed: Promise<void> }> {
  const sockets: Socket[] = []
  const closes: Array<Promise<void>> = []
  for (let i = 0; i < count; i++) {
    const socket = connect(port, '127.0.0.1')
    socket.on('error', () => {})
    socket.on('data', () => {})
    closes.push(new Promise((resolve) => socket.once('close', () => resolve())))
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve())
      socket.once('error', reject)
    })
    if (i % 2 === 0) socket.write('GET /client/v4/user/tokens/verify HTTP/1.1\r\nHost: 127.0.0.1\r\n')
    sockets.push(socket)
  }
  return { sockets, closed: Promise.all(closes).then(() => undefined) }
}

/** POSTs `total` bytes of JSON-ish text to the API as a stream, and resolves with its answer. */
async function streamJson(t: TestPlatform, path: string, total: number, chunked: boolean): Promise<{ status: number; body: any }> {
  const url = new URL(`${t.platform.apiUrl}${path}`)
  const headers = { authorization: `Bearer ${t.token}`, 'content-type': 'application/json' }
  const res = await streamPost({ port: Number(url.port), path: url.pathname, headers, total, chunked, fill: ' ' })
  return { status: res.status, body: JSON.parse(res.text) }
}

describe('API resilience', () => {
  let t: TestPlatform

  before(async () => {
    t = await startTestPlatform({ apiHeadersTimeoutMs: 1000, apiRequestTimeoutMs: 2000, apiKeepAliveTimeoutMs: 1000 })
  })
  after(() => t.close())

  it('keeps the API, the internal API and the edge serving under 2,000 idle connections, and closes them after the header timeout', async () => {
    const { sockets, closed } = await idleConnections(t.platform.apiPort, 2000)
    try {
      const verify = await t.json('/user/tokens/verify')
      assert.equal(verify.status, 200, 'the API answers')
      // A new Worker's code reaches workerd through the internal API on its first request.
      const upload = await putScript(t, accountScriptPath(t, 'fresh'), `export default { fetch() { return new Response('fresh') } }`)
      assert.equal(upload.status, 200)
      const res = await edge(t, await defaultHost(t, 'fresh'))
      assert.equal(res.status, 200)
      assert.equal(res.text, 'fresh')
      // Every idle connection is closed by the server. The bound is far above the 1 s header timeout
      // and far below Node's default (60 s), which is what this catches.
      let timer: NodeJS.Timeout | undefined
      const bound = new Promise<string>((resolve) => (timer = setTimeout(() => resolve('still open'), 20_000)))
      const open = () => sockets.filter((s) => !s.closed).length
      assert.equal(await Promise.race([closed.then(() => 'closed'), bound]), 'closed', `${open()} connections still open`)
      clearTimeout(timer)
    } finally {
      for (const s of sockets) s.destroy()
    }
  })

  it('answers 413 to a 200 MB JSON body without reading it, with a short message and little memory', async () => {
    const path = `/accounts/${t.accountId}/storage/kv/namespaces`
    const rss = process.memoryUsage().rss
    const declared = await streamJson(t, path, 200 * MB, false)
    const chunked = await streamJson(t, path, 200 * MB, true)
    const grown = process.memoryUsage().rss - rss
    for (const res of [declared, chunked]) {
      assert.equal(res.status, 413)
      assert.equal(res.body.success, false)
      assert.equal(res.body.errors[0].code, 10027)
      assert.ok(res.body.errors[0].message.length < 200, res.body.errors[0].message)
    }
    assert.ok(grown < 64 * MB, `RSS grew by ${Math.round(grown / MB)} MB`)
  })

  it('never echoes a large input back in an error message', async () => {
    const name = 'x'.repeat(600_000)
    const res = await t.json('/zones', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name, account: { id: t.accountId } }),
    })
    assert.equal(res.status >= 400 && res.status < 500, true, JSON.stringify(res.body).slice(0, 300))
    for (const e of res.body.errors) assert.ok(e.message.length <= 600, `message of ${e.message.length} characters`)
    const broken = await t.json('/zones', { method: 'POST', headers: { 'content-type': 'application/json' }, body: `{"name": "${name}` })
    assert.equal(broken.status, 400)
    for (const e of broken.body.errors) assert.ok(e.message.length <= 600, `message of ${e.message.length} characters`)
  })
})

describe('API resilience: the connection cap', () => {
  let t: TestPlatform
  before(async () => {
    t = await startTestPlatform({ apiMaxConnections: 50 })
  })
  after(() => t.close())

  it('closes connections past the cap on arrival, and serves again once they go', async () => {
    const held: Socket[] = []
    try {
      const { sockets } = await idleConnections(t.platform.apiPort, 50)
      held.push(...sockets)
      // Past the cap: accepted, then closed by the server at once (no header timeout involved).
      const extra = await idleConnections(t.platform.apiPort, 10)
      held.push(...extra.sockets)
      await extra.closed
      assert.equal(sockets.filter((s) => s.closed).length, 0, 'the connections within the cap stay')
    } finally {
      for (const s of held) s.destroy()
    }
    // The server notices the closed ones on its side before it has room again.
    let status = 0
    for (let i = 0; i < 50 && status !== 200; i++) {
      status = await t.json('/user/tokens/verify').then(
        (r) => r.status,
        () => 0,
      )
      if (status !== 200) await new Promise((r) => setTimeout(r, 100))
    }
    assert.equal(status, 200)
  })
})
