import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { WebSocket } from 'undici'
import type { TailChange, TailSession } from '../../src/api/tail/sessions.js'
import { createNamespace, deployDispatcher, edge, namespaceScriptPath, putScript } from '../helpers/edge.js'
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js'
import { createWrangler, describeRun, jsonDocuments, type Wrangler, type WranglerProcess } from '../helpers/wrangler.js'

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
const TENANT = `
export default {
  fetch(request) {
    console.warn('tenant handled', new URL(request.url).pathname)
    return new Response('tenant ok')
  },
}
`

interface TailEvent {
  outcome: string
  scriptName: string
  dispatchNamespace?: string
  exceptions: Array<{ name: string; message: string }>
  logs: Array<{ message: unknown[]; level: string; timestamp: number }>
  eventTimestamp: number
  event: { request: { url: string; method: string; headers: Record<string, string> }; response?: { status: number } }
  diagnosticsChannelEvents: unknown[]
}

/** The next change of `kind` to any tail session of the platform. */
function nextChange(t: TestPlatform, kind: TailChange['kind']): Promise<TailSession> {
  return new Promise((resolve) => {
    const off = t.platform.tails.onChange((change) => {
      if (change.kind !== kind) return
      off()
      resolve(change.session)
    })
  })
}

/** Waits for wrangler's tail socket to be open, or fails with what wrangler said if it exits first. */
async function connected(t: TestPlatform, tail: WranglerProcess): Promise<TailSession> {
  const exitedFirst = tail.exited.then((r) => {
    throw new Error(`wrangler tail exited before connecting\n${describeRun(r)}`)
  })
  return Promise.race([nextChange(t, 'connected'), exitedFirst])
}

const closingBraces = (stdout: string): number => stdout.match(/^\}$/gm)?.length ?? 0

describe('wrangler tail and the tail API against Workerhive', () => {
  let t: TestPlatform
  let w: Wrangler
  let host: string
  before(async () => {
    t = await startTestPlatform()
    w = createWrangler(t)
    await createNamespace(t, 'tenants')
    host = await deployDispatcher(t, 'tenants', DISPATCHER)
    const tenant = await putScript(t, namespaceScriptPath(t, 'tenants', 'tenant'), TENANT)
    assert.equal(tenant.status, 200, JSON.stringify(tenant.body))
  })
  after(async () => {
    w?.close()
    await t?.close()
  })

  const accountTails = () => `/accounts/${t.accountId}/workers/scripts/dispatcher/tails`
  const namespaceTails = () => `${namespaceScriptPath(t, 'tenants', 'tenant')}/tails`

  it('wrangler tail --format json prints the logs, exceptions and outcome of each request, and deletes its tail on SIGINT', async () => {
    const tail = w.start(['tail', 'dispatcher', '--format', 'json'])
    const session = await connected(t, tail)
    assert.deepEqual((await t.json(accountTails())).body.result.map((s: { id: string }) => s.id), [session.id])

    assert.equal((await edge(t, host, '/tenant/hello?x=1')).text, 'tenant ok')
    assert.equal((await edge(t, host, '/boom')).status, 500)
    const stdout = await tail.waitForStdout((s) => closingBraces(s) >= 2)

    const events = jsonDocuments(stdout) as TailEvent[]
    const ok = events.find((e) => e.outcome === 'ok')
    const failed = events.find((e) => e.outcome === 'exception')
    assert.ok(ok && failed, stdout)
    assert.equal(ok.scriptName, 'dispatcher')
    assert.deepEqual(ok.logs.map((l) => [l.level, ...l.message]), [['log', 'dispatcher saw', '/tenant/hello']])
    assert.equal(ok.event.request.method, 'GET')
    assert.equal(ok.event.request.url, `http://${host}/tenant/hello?x=1`)
    assert.equal(ok.event.response?.status, 200)
    assert.deepEqual(ok.exceptions, [])
    assert.deepEqual(ok.diagnosticsChannelEvents, [])
    assert.equal(typeof ok.eventTimestamp, 'number')
    assert.deepEqual(
      failed.exceptions.map((e) => [e.name, e.message]),
      [['Error', 'dispatcher exploded']],
    )
    // A tail of the dispatch Worker shows the dispatch Worker only, not the user Workers it calls.
    assert.ok(events.every((e) => e.scriptName === 'dispatcher'))

    const ended = nextChange(t, 'ended')
    const result = await tail.stop('SIGINT')
    assert.equal(result.code, 0, describeRun(result))
    assert.equal((await ended).id, session.id)
    assert.deepEqual((await t.json(accountTails())).body.result, [])
  })

  it("tails a namespace script through the API with a standard WebSocket client, until it is deleted", async () => {
    const created = await t.json(namespaceTails(), {
      method: 'POST',
      body: '{"filters":[]}',
      headers: { 'content-type': 'text/plain;charset=UTF-8' },
    })
    assert.equal(created.status, 200, JSON.stringify(created.body))
    const { id, url, expires_at } = created.body.result
    assert.match(id, /^[0-9a-f]{32}$/)
    assert.ok(url.startsWith(`ws://127.0.0.1:${t.platform.apiPort}/client/v4${namespaceTails()}/${id}/socket?token=`), url)
    assert.ok(Date.parse(expires_at) > Date.now())
    assert.deepEqual((await t.json(namespaceTails())).body.result, [{ id, url, expires_at }])
    // Each script has its own tails.
    assert.deepEqual((await t.json(accountTails())).body.result, [])

    const socket = new WebSocket(url, 'trace-v1')
    const messages: TailEvent[] = []
    const firstMessage = new Promise<void>((resolve) =>
      socket.addEventListener('message', (e) => {
        messages.push(JSON.parse(String(e.data)))
        resolve()
      }),
    )
    const closed = new Promise<number>((resolve) => socket.addEventListener('close', (e) => resolve(e.code)))
    await new Promise((resolve, reject) => {
      socket.addEventListener('open', resolve)
      socket.addEventListener('error', reject)
    })
    assert.equal(socket.protocol, 'trace-v1')

    assert.equal((await edge(t, host, '/tenant/path')).text, 'tenant ok')
    await firstMessage
    const [event] = messages
    assert.equal(event?.scriptName, 'tenant')
    assert.equal(event.dispatchNamespace, 'tenants')
    assert.equal(event.outcome, 'ok')
    assert.deepEqual(event.logs.map((l) => [l.level, ...l.message]), [['warn', 'tenant handled', '/tenant/path']])
    assert.equal(event.event.request.url, `http://${host}/tenant/path`)

    const deleted = await t.json(`${namespaceTails()}/${id}`, { method: 'DELETE' })
    assert.equal(deleted.status, 200)
    assert.equal(await closed, 1000)
    assert.deepEqual((await t.json(namespaceTails())).body.result, [])
  })

  it('refuses tails of scripts that do not exist with the codes wrangler knows', async () => {
    const account = await t.json(`/accounts/${t.accountId}/workers/scripts/nobody/tails`, { method: 'POST', body: '{"filters":[]}' })
    assert.equal(account.status, 404)
    assert.equal(account.body.errors[0].code, 10007)
    const namespaced = await t.json(`${namespaceScriptPath(t, 'tenants', 'nobody')}/tails`, { method: 'POST', body: '{"filters":[]}' })
    assert.equal(namespaced.status, 404)
    assert.equal(namespaced.body.errors[0].code, 10092)
    const tail = await w.run(['tail', 'nobody', '--format', 'json'])
    assert.notEqual(tail.code, 0, describeRun(tail))
    assert.match(tail.stdout + tail.stderr, /\[code: 10007\]/)
  })
})
