import Cloudflare from 'cloudflare'
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { defaultHost, edge } from '../helpers/edge.js'
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js'
import { createWrangler, describeRun, succeeded, type Wrangler } from '../helpers/wrangler.js'

const SOURCE = `export default {
  scheduled(controller) { console.log('tick', controller.cron) },
  fetch() { return new Response('cron worker') },
}`

const toml = (crons: string[]) => `
name = "ticker"
main = "src/index.js"
compatibility_date = "2025-06-01"
workers_dev = true

[triggers]
crons = ${JSON.stringify(crons)}
`

describe('cron triggers through real clients: wrangler deploy [triggers] and the cloudflare SDK', () => {
  let t: TestPlatform
  let wrangler: Wrangler
  let cf: Cloudflare
  const schedulesOf = async (name: string) => (await t.json(`/accounts/${t.accountId}/workers/scripts/${name}/schedules`)).body.result.schedules.map((s: { cron: string }) => s.cron)

  before(async () => {
    t = await startTestPlatform()
    wrangler = createWrangler(t)
    cf = new Cloudflare({ baseURL: t.platform.apiUrl, apiToken: t.token, maxRetries: 0 })
  })
  after(async () => {
    wrangler?.close()
    await t?.close()
  })

  it('wrangler deploy with crons stores them; a redeploy replaces them', async () => {
    wrangler.write({ 'wrangler.toml': toml(['*/5 * * * *', '0 0 * JAN-JUN FRI']), 'src/index.js': SOURCE })
    const first = succeeded(await wrangler.run(['deploy']))
    assert.match(first.stdout, /schedule: \*\/5 \* \* \* \*/, describeRun(first))
    assert.deepEqual(await schedulesOf('ticker'), ['*/5 * * * *', '0 0 * JAN-JUN FRI'])

    wrangler.write({ 'wrangler.toml': toml(['0 0 LW JUL-DEC *']) })
    succeeded(await wrangler.run(['deploy']))
    assert.deepEqual(await schedulesOf('ticker'), ['0 0 LW JUL-DEC *'])
  })

  it('outside development mode /cdn-cgi/handler/scheduled is an ordinary path the Worker answers', async () => {
    const res = await edge(t, await defaultHost(t, 'ticker'), '/cdn-cgi/handler/scheduled?cron=*+*+*+*+*')
    assert.deepEqual([res.status, res.text], [200, 'cron worker'])
  })

  it('wrangler deploy with an invalid cron fails with 10100 and leaves the schedules as they were', async () => {
    wrangler.write({ 'wrangler.toml': toml(['* * * * *', '0 22 * * 0']) })
    const r = await wrangler.run(['deploy'])
    assert.notEqual(r.code, 0, describeRun(r))
    assert.match(r.stdout + r.stderr, /10100/, describeRun(r))
    assert.deepEqual(await schedulesOf('ticker'), ['0 0 LW JUL-DEC *'])
  })

  it('workers.scripts.schedules.update and .get round-trip through the SDK', async () => {
    const account_id = t.accountId
    const updated = await cf.workers.scripts.schedules.update('ticker', { account_id, body: [{ cron: '*/30 * * * *' }, { cron: '0 12 * * MON-FRI' }] })
    assert.deepEqual(updated.schedules.map((s) => s.cron), ['*/30 * * * *', '0 12 * * MON-FRI'])
    assert.ok(updated.schedules.every((s) => typeof s.created_on === 'string' && typeof s.modified_on === 'string'))
    const got = await cf.workers.scripts.schedules.get('ticker', { account_id })
    assert.deepEqual(got, updated)

    await assert.rejects(
      cf.workers.scripts.schedules.update('ticker', { account_id, body: [{ cron: '60 * * * *' }] }),
      (e: unknown) => e instanceof Cloudflare.BadRequestError && JSON.stringify(e.errors).includes('10100'),
    )
    assert.deepEqual((await cf.workers.scripts.schedules.get('ticker', { account_id })).schedules.map((s) => s.cron), ['*/30 * * * *', '0 12 * * MON-FRI'])
  })
})
