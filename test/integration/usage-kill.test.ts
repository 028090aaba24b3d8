import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { BIN } from '../helpers/cli.js'
import { edge, putScript } from '../helpers/edge.js'
import type { TestPlatform } from '../helpers/platform.js'

// Usage that a read has seen written (every read writes the node's buffer first) is committed: a
// kill -9 of Node right after it loses none of it.

interface Started {
  child: ChildProcess
  /** Just enough of a TestPlatform for the edge and upload helpers. */
  t: TestPlatform
}

async function start(dataDir: string): Promise<Started> {
  const child = spawn(process.execPath, [BIN, 'start', '--data-dir', dataDir, '--api-port', '0', '--edge-port', '0', '--usage-flush-seconds', '60', '--log-level', 'error'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  child.stdout!.setEncoding('utf8')
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (s: string) => {
      out += s
      if (out.includes('CLOUDFLARE_API_TOKEN=') && out.includes('\n', out.indexOf('CLOUDFLARE_API_TOKEN='))) resolve()
    })
    child.once('exit', (code) => reject(new Error(`start exited with ${code}: ${out}`)))
  })
  const value = (name: string) => new RegExp(`${name}=(\\S+)`).exec(out)![1]!
  const apiUrl = value('CLOUDFLARE_API_BASE_URL')
  const token = value('CLOUDFLARE_API_TOKEN')
  const edgePort = Number(/Edge:\s+http:\/\/[^:]+:(\d+)/.exec(out)![1])
  const api = (path: string, init: RequestInit = {}) => fetch(`${apiUrl}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, ...(init.headers as Record<string, string>) } })
  const t = {
    accountId: value('CLOUDFLARE_ACCOUNT_ID'),
    token,
    platform: { edgePort },
    api,
    async json(path: string, init?: RequestInit) {
      const res = await api(path, init)
      return { status: res.status, body: await res.json() }
    },
  } as unknown as TestPlatform
  return { child, t }
}

const QUERY = `query ($tag: string!, $start: Time!) { viewer { accounts(filter: {accountTag: $tag}) {
  workersInvocationsAdaptive(limit: 10, filter: { scriptName: "counted", datetime_geq: $start }) { sum { requests } } } } }`

async function requests(t: TestPlatform): Promise<number> {
  const res = await t.json('/graphql', { method: 'POST', body: JSON.stringify({ query: QUERY, variables: { tag: t.accountId, start: new Date(Date.now() - 3_600_000).toISOString() } }), headers: { 'content-type': 'application/json' } })
  return res.body.data?.viewer.accounts[0].workersInvocationsAdaptive[0]?.sum.requests ?? 0
}

describe('usage and kill -9', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'workerhive-usage-kill-'))
  let running: ChildProcess | undefined
  after(() => {
    running?.kill('SIGKILL')
    rmSync(dataDir, { recursive: true, force: true })
  })

  it('keeps usage a read has seen after a kill -9 of Node', async () => {
    const first = await start(dataDir)
    running = first.child
    const { t } = first
    assert.equal((await putScript(t, `/accounts/${t.accountId}/workers/scripts/counted`, `export default { fetch() { return new Response('counted') } }`)).status, 200)
    const sub = (await t.json(`/accounts/${t.accountId}/workers/subdomain`)).body.result.subdomain
    const host = `counted.${sub}.localhost`
    for (let i = 0; i < 5; i++) assert.equal((await edge(t, host)).text, 'counted')
    // The flush interval is a minute: only the read's own write can have put them in the store.
    let seen = 0
    for (let i = 0; i < 100 && seen < 5; i++) {
      seen = await requests(t)
      if (seen < 5) await new Promise((r) => setTimeout(r, 50))
    }
    assert.equal(seen, 5)
    const exited = new Promise((resolve) => first.child.once('exit', resolve))
    first.child.kill('SIGKILL')
    await exited

    const second = await start(dataDir)
    running = second.child
    assert.equal(await requests(second.t), 5, 'the usage survived the kill')
    const stopped = new Promise((resolve) => second.child.once('exit', resolve))
    second.child.kill('SIGTERM')
    await stopped
    running = undefined
  })
})
