import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js'
import { createWrangler, describeRun, succeeded, type Wrangler } from '../helpers/wrangler.js'

describe('wrangler whoami, dispatch-namespace and bad credentials', () => {
  let t: TestPlatform
  let w: Wrangler
  before(async () => {
    t = await startTestPlatform()
    w = createWrangler(t)
  })
  after(async () => {
    w.close()
    await t.close()
  })

  const namespaces = async () =>
    (await t.json(`/accounts/${t.accountId}/workers/dispatch/namespaces`)).body.result as Array<{ namespace_name: string }>

  it('whoami shows the account the token belongs to', async () => {
    const r = await w.run(['whoami'])
    succeeded(r)
    assert.match(r.stdout, /You are logged in with an User API Token, associated with the email admin@workerhive\.local/)
    assert.ok(r.stdout.includes(t.accountId), r.stdout)
    const account = await t.platform.store.accounts.get(t.accountId)
    assert.ok(r.stdout.includes(account!.name), r.stdout)
  })

  it('dispatch-namespace create prints the new id', async () => {
    const r = await w.run(['dispatch-namespace', 'create', 'customers'])
    succeeded(r)
    const [created] = await namespaces()
    assert.equal(created?.namespace_name, 'customers')
    const id = (await t.json(`/accounts/${t.accountId}/workers/dispatch/namespaces/customers`)).body.result.namespace_id
    assert.ok(r.stdout.includes(`Created dispatch namespace "customers" with ID "${id}"`), r.stdout)
  })

  it('dispatch-namespace list and get print the namespace', async () => {
    const list = await w.run(['dispatch-namespace', 'list'])
    succeeded(list)
    assert.match(list.stdout, /namespace_name: 'customers'/)
    const get = await w.run(['dispatch-namespace', 'get', 'customers'])
    succeeded(get)
    assert.match(get.stdout, /namespace_name: 'customers'/)
    assert.match(get.stdout, /script_count: 0/)
  })

  it('dispatch-namespace rename changes the name', async () => {
    const r = await w.run(['dispatch-namespace', 'rename', 'customers', 'tenants'])
    succeeded(r)
    assert.deepEqual(
      (await namespaces()).map((n) => n.namespace_name),
      ['tenants'],
    )
  })

  it('dispatch-namespace get of a missing namespace fails with the API message', async () => {
    const r = await w.run(['dispatch-namespace', 'get', 'customers'])
    assert.notEqual(r.code, 0, describeRun(r))
    assert.match(r.stdout + r.stderr, /\[code: 10007\]/)
  })

  it('dispatch-namespace delete removes it', async () => {
    const r = await w.run(['dispatch-namespace', 'delete', 'tenants'])
    succeeded(r)
    assert.deepEqual(await namespaces(), [])
  })

  it('a missing positional argument is a usage error, before any request', async () => {
    const r = await w.run(['dispatch-namespace', 'create'])
    assert.notEqual(r.code, 0, describeRun(r))
    assert.match(r.stderr, /Not enough non-option arguments/)
  })

  it("a wrong token fails with Cloudflare's authentication error, not a crash", async () => {
    const env = { CLOUDFLARE_API_TOKEN: 'not-a-real-token' }
    for (const args of [['dispatch-namespace', 'list'], ['whoami'], ['kv', 'namespace', 'list']]) {
      const r = await w.run(args, { env })
      assert.notEqual(r.code, 0, describeRun(r))
      assert.match(r.stdout + r.stderr, /Authentication error \[code: 10000\]/, describeRun(r))
      // wrangler answers an authentication error by running whoami, which cannot list the accounts of
      // a token that does not exist (against Cloudflare neither), so it also prints that failure. What
      // must not appear is wrangler tripping over a response shape.
      assert.doesNotMatch(r.stdout + r.stderr, /TypeError|Cannot read properties|malformed response/, describeRun(r))
    }
  })

  it("a foreign account id fails with Cloudflare's authentication error", async () => {
    const other = await t.otherAccount()
    const r = await w.run(['dispatch-namespace', 'list'], { env: { CLOUDFLARE_ACCOUNT_ID: other.accountId } })
    assert.notEqual(r.code, 0, describeRun(r))
    assert.match(r.stdout + r.stderr, /Authentication error \[code: 10000\]/, describeRun(r))
  })
})
