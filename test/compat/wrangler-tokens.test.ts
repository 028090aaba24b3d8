import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { jsonBody, startTestPlatform, type TestPlatform } from '../helpers/platform.js'
import { createWrangler, describeRun, succeeded, type Wrangler } from '../helpers/wrangler.js'

const SCRIPTS_WRITE = 'e086da7e2179491d91ee5f35b3ca210a'
const SCRIPTS_READ = '1a71c399035b4950a1bd1466bbe4f420'
const ACCOUNT_SETTINGS_READ = 'c1fde68c7bcc44588cbb6ddbc16d6480'
const USER_DETAILS_READ = '8acbe5bb0d54464ab867149d7f7cf8ac'
const MEMBERSHIPS_READ = '3518d0f75557482e952c6762d3e64903'

describe('wrangler with scoped API tokens', () => {
  let t: TestPlatform
  let w: Wrangler

  /** A user token with `groups` on the account (and, when given, `userGroups` on the user). */
  const token = async (name: string, groups: string[], userGroups: string[] = []): Promise<string> => {
    const policies = [
      { effect: 'allow', permission_groups: groups.map((id) => ({ id })), resources: { [`com.cloudflare.api.account.${t.accountId}`]: '*' } },
      ...(userGroups.length
        ? [{ effect: 'allow', permission_groups: userGroups.map((id) => ({ id })), resources: { [`com.cloudflare.api.user.${t.accountId}`]: '*' } }]
        : []),
    ]
    const r = await t.json('/user/tokens', { method: 'POST', ...jsonBody({ name, policies }) })
    assert.equal(r.status, 200, JSON.stringify(r.body))
    return r.body.result.value
  }

  before(async () => {
    t = await startTestPlatform()
    w = createWrangler(t)
    w.write({
      'wrangler.toml': 'name = "scoped"\nmain = "src/index.js"\ncompatibility_date = "2025-06-01"\nworkers_dev = false\n',
      'src/index.js': 'export default { fetch() { return new Response("scoped deploy") } }',
    })
  })
  after(async () => {
    w.close()
    await t.close()
  })

  it('a token with Workers Scripts Write deploys', async () => {
    const value = await token('deployer', [SCRIPTS_WRITE, ACCOUNT_SETTINGS_READ])
    const r = await w.run(['deploy'], { env: { CLOUDFLARE_API_TOKEN: value } })
    succeeded(r)
    const script = await t.json(`/accounts/${t.accountId}/workers/scripts/scoped/content`)
    assert.equal(script.status, 200)
  })

  it("a token with only Workers Scripts Read gets wrangler's authentication error and changes nothing", async () => {
    const value = await token('reader', [SCRIPTS_READ, ACCOUNT_SETTINGS_READ])
    w.write({ 'src/index.js': 'export default { fetch() { return new Response("should not land") } }' })
    const r = await w.run(['deploy'], { env: { CLOUDFLARE_API_TOKEN: value } })
    assert.notEqual(r.code, 0, describeRun(r))
    assert.match(r.stdout + r.stderr, /Authentication error \[code: 10000\]/, describeRun(r))
    assert.doesNotMatch(r.stdout + r.stderr, /TypeError|Cannot read properties/, describeRun(r))
    const content = await t.api(`/accounts/${t.accountId}/workers/scripts/scoped/content`)
    assert.match(await content.text(), /scoped deploy/)
  })

  it('a token limited to one dispatch namespace deploys there with --dispatch-namespace, and nowhere else', async () => {
    for (const name of ['tenants', 'other']) {
      await t.json(`/accounts/${t.accountId}/workers/dispatch/namespaces`, { method: 'POST', ...jsonBody({ name }) })
    }
    const r0 = await t.json('/user/tokens', {
      method: 'POST',
      ...jsonBody({
        name: 'tenants-only',
        policies: [
          {
            effect: 'allow',
            permission_groups: [{ id: SCRIPTS_WRITE }],
            resources: { [`com.workerhive.dispatch_namespace.${t.accountId}.tenants`]: '*' },
          },
        ],
      }),
    })
    const env = { CLOUDFLARE_API_TOKEN: r0.body.result.value }
    w.write({ 'src/index.js': 'export default { fetch() { return new Response("tenant code") } }' })
    succeeded(await w.run(['deploy', '--dispatch-namespace', 'tenants'], { env }))
    const landed = await t.api(`/accounts/${t.accountId}/workers/dispatch/namespaces/tenants/scripts/scoped/content`)
    assert.match(await landed.text(), /tenant code/)
    const elsewhere = await w.run(['deploy', '--dispatch-namespace', 'other'], { env })
    assert.notEqual(elsewhere.code, 0, describeRun(elsewhere))
    assert.match(elsewhere.stdout + elsewhere.stderr, /Authentication error \[code: 10000\]/, describeRun(elsewhere))
    const account = await w.run(['deploy'], { env })
    assert.notEqual(account.code, 0, describeRun(account))
  })

  it('whoami with a scoped token that may read user details shows the account', async () => {
    const value = await token('whoami', [ACCOUNT_SETTINGS_READ], [USER_DETAILS_READ, MEMBERSHIPS_READ])
    const r = succeeded(await w.run(['whoami'], { env: { CLOUDFLARE_API_TOKEN: value } }))
    assert.ok(r.stdout.includes(t.accountId), describeRun(r))
    assert.match(r.stdout, /User API Token/)
  })

  it('whoami with a token that may not read user details still lists its account', async () => {
    const value = await token('narrow', [SCRIPTS_WRITE])
    const r = await w.run(['whoami'], { env: { CLOUDFLARE_API_TOKEN: value } })
    assert.ok((r.stdout + r.stderr).includes(t.accountId), describeRun(r))
    assert.doesNotMatch(r.stdout + r.stderr, /TypeError|Cannot read properties/, describeRun(r))
  })
})
