import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { after, before, describe, it } from 'node:test'
import { promisify } from 'node:util'
import { defaultHost, edge, putScript } from '../helpers/edge.js'
import { eventually } from '../helpers/eventually.js'
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js'

const run = promisify(execFile)

describe('workerhive CLI against a running platform', () => {
  let t: TestPlatform
  let env: NodeJS.ProcessEnv

  before(async () => {
    t = await startTestPlatform()
    env = {
      PATH: process.env.PATH,
      CLOUDFLARE_API_BASE_URL: t.platform.apiUrl,
      CLOUDFLARE_API_TOKEN: t.token,
      CLOUDFLARE_ACCOUNT_ID: t.accountId,
    }
  })
  after(() => t.close())

  const cli = (...args: string[]) => run(process.execPath, ['bin/workerhive.js', ...args], { env })

  it('creates, lists and deletes dispatch namespaces', async () => {
    assert.match((await cli('namespace', 'create', 'production')).stdout, /^Created dispatch namespace "production" with ID "[0-9a-f-]{36}"/)
    assert.match((await cli('namespace', 'list')).stdout, /production {2}0 scripts/)
    const dup = await cli('namespace', 'create', 'production').then(
      () => undefined,
      (e: { code: number; stderr: string }) => e,
    )
    assert.equal(dup?.code, 1)
    assert.match(dup?.stderr ?? '', /^workerhive namespace create: .*already exists.*\[code: \d+\]/)
    assert.match((await cli('namespace', 'delete', 'production')).stdout, /Deleted dispatch namespace "production"/)
  })

  it('shows the edge status and a Worker\u2019s recent invocations', async () => {
    const status = (await cli('status')).stdout
    assert.match(status, /^sandbox: /m)
    assert.match(status, /workerd #0 edge +ready/)
    assert.match(status, /probation +ready/)

    // Workers Logs are opt-in, as on Cloudflare: tracing costs every request.
    await putScript(
      t,
      `/accounts/${t.accountId}/workers/scripts/chatty`,
      `export default { fetch(req) { console.log('hello from', new URL(req.url).pathname); return new Response('ok') } }`,
      { observability: { enabled: true } },
    )
    assert.equal((await edge(t, await defaultHost(t, 'chatty'), '/path-1')).text, 'ok')
    // Trace events arrive shortly after the response: wait for them through the API the command
    // reads (a CLI process per poll would cost a Node start-up each), then run the command once.
    await eventually(
      () => t.json(`/accounts/${t.accountId}/workerhive/logs?script=chatty`),
      (r) => JSON.stringify(r.body.result ?? []).includes('hello from /path-1'),
    )
    const logs = (await cli('logs', 'chatty')).stdout
    assert.match(logs, /GET http:\/\/chatty\.[^ ]+\/path-1 -> 200 \(ok\)/)
    assert.match(logs, /\[log\] hello from \/path-1/)
  })
})
