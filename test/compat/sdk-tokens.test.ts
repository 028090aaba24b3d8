import Cloudflare from 'cloudflare'
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { runCli } from '../helpers/cli.js'
import { jsonBody, startTestPlatform, type TestPlatform } from '../helpers/platform.js'

const SCRIPTS_WRITE = 'e086da7e2179491d91ee5f35b3ca210a'
const SCRIPTS_READ = '1a71c399035b4950a1bd1466bbe4f420'
const KV_WRITE = 'f7f0eda5697f475c90846e879bab8666'

const CODE = 'export default { async fetch() { return new Response("scoped") } }'

/** The SDK's working multipart call shape for a namespace upload (see sdk-namespaces.test.ts). */
const uploadParams = (account_id: string, dispatch_namespace: string) => ({
  account_id,
  dispatch_namespace,
  metadata: new File([JSON.stringify({ main_module: 'worker.js' })], 'metadata.json', {
    type: 'application/json',
  }) as unknown as { main_module: string },
  files: [new File([CODE], 'worker.js', { type: 'application/javascript+module' })],
})
const noContentType = { headers: { 'Content-Type': null } }

describe('scoped API tokens through the cloudflare SDK and the v4 API', () => {
  let t: TestPlatform
  let admin: Cloudflare
  let account_id: string
  const client = (apiToken: string) => new Cloudflare({ baseURL: t.platform.apiUrl, apiToken, maxRetries: 0 })
  const nsResource = (ns: string) => `com.workerhive.dispatch_namespace.${account_id}.${ns}`
  const accountResource = () => `com.cloudflare.api.account.${account_id}`

  /** Creates a user token through the API; its value. */
  const createToken = async (body: Record<string, unknown>): Promise<string> => {
    const r = await t.json('/user/tokens', { method: 'POST', ...jsonBody(body) })
    assert.equal(r.status, 200, JSON.stringify(r.body))
    return r.body.result.value
  }
  const allow = (groups: string[], resource: string) => ({
    effect: 'allow',
    permission_groups: groups.map((id) => ({ id })),
    resources: { [resource]: '*' },
  })

  before(async () => {
    t = await startTestPlatform()
    admin = client(t.token)
    account_id = t.accountId
    for (const name of ['prod', 'staging']) {
      await admin.workersForPlatforms.dispatch.namespaces.create({ account_id, name })
    }
  })
  after(() => t.close())

  it('lists permission groups with Cloudflare names and ids', async () => {
    const groups: Array<{ id: string; name: string }> = []
    for await (const g of admin.user.tokens.permissionGroups.list()) groups.push(g as { id: string; name: string })
    const byName = new Map(groups.map((g) => [g.name, g.id]))
    assert.equal(byName.get('Workers Scripts Write'), SCRIPTS_WRITE)
    assert.equal(byName.get('Workers KV Storage Write'), KV_WRITE)
    assert.ok(byName.has('Account Settings Read') && byName.has('Workers Routes Write') && byName.has('Zone Read'))
    const accountGroups = await t.json(`/accounts/${account_id}/tokens/permission_groups`)
    assert.ok(!accountGroups.body.result.some((g: { name: string }) => g.name === 'API Tokens Write'), 'user groups are not offered to account tokens')
  })

  it('create, get, list, update, roll and delete a user token; the value shows on create and roll only', async () => {
    const created = await admin.user.tokens.create({
      name: 'ci',
      policies: [{ effect: 'allow', permission_groups: [{ id: SCRIPTS_READ }], resources: { [accountResource()]: '*' } }],
      condition: { request_ip: { in: ['127.0.0.0/8'] } },
      expires_on: '2099-01-01T00:00:00Z',
    })
    assert.equal(typeof created.value, 'string')
    assert.equal(created.status, 'active')
    assert.deepEqual(created.policies?.[0]?.permission_groups, [{ id: SCRIPTS_READ, name: 'Workers Scripts Read' }])
    assert.equal(created.expires_on, '2099-01-01T00:00:00Z')
    assert.ok(created.issued_on && created.modified_on)

    const got = await admin.user.tokens.get(created.id!)
    assert.equal(got.name, 'ci')
    assert.equal((got as Record<string, unknown>).value, undefined)
    assert.deepEqual(got.condition, { request_ip: { in: ['127.0.0.0/8'] } })

    const names: string[] = []
    for await (const tok of admin.user.tokens.list()) names.push(tok.name!)
    assert.ok(names.includes('ci') && names.length >= 2, names.join())

    const updated = await admin.user.tokens.update(created.id!, {
      name: 'ci-renamed',
      policies: [{ effect: 'allow', permission_groups: [{ id: SCRIPTS_WRITE }], resources: { [accountResource()]: '*' } }],
      status: 'disabled',
    })
    assert.equal(updated.name, 'ci-renamed')
    assert.equal(updated.status, 'disabled')
    assert.equal(updated.expires_on, '2099-01-01T00:00:00Z', 'fields left out are kept')
    const disabled = await t.json(`/accounts/${account_id}/workers/scripts`, { token: created.value! })
    assert.equal(disabled.status, 401)

    await admin.user.tokens.update(created.id!, { name: 'ci-renamed', policies: updated.policies as never, status: 'active' })
    assert.equal((await t.json(`/accounts/${account_id}/workers/scripts`, { token: created.value! })).status, 200)
    const rolled = await admin.user.tokens.value.update(created.id!)
    assert.equal(typeof rolled, 'string')
    assert.equal((await t.json(`/accounts/${account_id}/workers/scripts`, { token: created.value! })).status, 401, 'old value dead')
    assert.equal((await t.json(`/accounts/${account_id}/workers/scripts`, { token: rolled })).status, 200)
    const used = await admin.user.tokens.get(created.id!)
    assert.ok(used.last_used_on, 'last_used_on is recorded')

    await admin.user.tokens.delete(created.id!)
    assert.equal((await t.json(`/accounts/${account_id}/workers/scripts`, { token: rolled })).status, 401)
    const gone = await t.json(`/user/tokens/${created.id}`)
    assert.equal(gone.status, 404)
  })

  it('verify: a user token verifies itself; a bad token gets 1000 "Invalid API Token"', async () => {
    const value = await createToken({ name: 'v', policies: [allow([SCRIPTS_READ], accountResource())], not_before: '2000-01-01T00:00:00Z' })
    const verified = await client(value).user.tokens.verify()
    assert.equal(verified.status, 'active')
    assert.equal(verified.not_before, '2000-01-01T00:00:00Z')
    const raw = await t.json('/user/tokens/verify', { token: value })
    assert.equal(raw.body.messages[0].message, 'This API Token is valid and active')
    const bad = await t.json('/user/tokens/verify', { token: 'not-a-token' })
    assert.equal(bad.status, 401)
    assert.equal(bad.body.errors[0].code, 1000)
    assert.equal(bad.body.errors[0].message, 'Invalid API Token')
  })

  it('account tokens: created through client.accounts.tokens, verified on the account path only', async () => {
    const created = await admin.accounts.tokens.create({
      account_id,
      name: 'backend',
      policies: [{ effect: 'allow', permission_groups: [{ id: SCRIPTS_WRITE }], resources: { [nsResource('prod')]: '*' } }],
    })
    assert.ok(created.value)
    const ids: string[] = []
    for await (const tok of admin.accounts.tokens.list({ account_id })) ids.push(tok.id!)
    assert.deepEqual(ids, [created.id])
    const scoped = client(created.value!)
    assert.equal((await scoped.accounts.tokens.verify({ account_id })).status, 'active')
    const userVerify = await t.json('/user/tokens/verify', { token: created.value! })
    assert.equal(userVerify.body.errors[0].code, 1000, 'an account token on /user/tokens/verify, as on Cloudflare')
    const foreign = await t.json(`/accounts/${account_id}/tokens`, {
      method: 'POST',
      ...jsonBody({ name: 'x', policies: [allow([SCRIPTS_WRITE], 'com.cloudflare.api.account.*')] }),
    })
    assert.equal(foreign.status, 400, 'an account token names its own account only')
  })

  it('a namespace-scoped token uploads to its namespace and is refused elsewhere and on KV', async () => {
    const value = await createToken({ name: 'prod-only', policies: [allow([SCRIPTS_WRITE, KV_WRITE], nsResource('prod'))] })
    const scoped = client(value)
    const scripts = scoped.workersForPlatforms.dispatch.namespaces.scripts
    const uploaded = await scripts.update('tenant', uploadParams(account_id, 'prod'), noContentType)
    assert.equal(uploaded.id, 'tenant')
    await scripts.secrets.update('tenant', { account_id, dispatch_namespace: 'prod', name: 'S', text: 'v', type: 'secret_text' })
    const tags = await t.json(`/accounts/${account_id}/workers/dispatch/namespaces/prod/scripts/tenant/tags`, { token: value })
    assert.equal(tags.status, 200)

    await assert.rejects(scripts.update('tenant', uploadParams(account_id, 'staging'), noContentType), (e: unknown) => {
      assert.ok(e instanceof Cloudflare.PermissionDeniedError, String(e))
      assert.equal((e.errors[0] as { code: number }).code, 10000)
      return true
    })
    await assert.rejects(scoped.kv.namespaces.create({ account_id, title: 'nope' }), Cloudflare.PermissionDeniedError)
    const rename = await t.json(`/accounts/${account_id}/workers/dispatch/namespaces/prod`, {
      token: value,
      method: 'DELETE',
    })
    assert.equal(rename.status, 403, 'the namespace itself stays the account’s')
    const listAll = await t.json(`/accounts/${account_id}/workers/scripts`, { token: value })
    assert.equal(listAll.status, 403)
    const user = await t.json('/user', { token: value })
    assert.equal(user.body.errors[0].code, 9109)
    assert.equal((await t.json('/accounts', { token: value })).status, 200, 'it may still see its account')
  })

  it('workerhive token create --namespace makes a token for that namespace only', async () => {
    const r = await runCli(['token', 'create', '--namespace', 'prod', '--name', 'provisioner', '--data-dir', t.dataDir])
    assert.equal(r.code, 0, r.stderr)
    const value = /CLOUDFLARE_API_TOKEN=(\S+)/.exec(r.stdout)?.[1]
    assert.ok(value, r.stdout)
    const scripts = client(value).workersForPlatforms.dispatch.namespaces.scripts
    assert.equal((await scripts.update('from-cli', uploadParams(account_id, 'prod'), noContentType)).id, 'from-cli')
    await assert.rejects(scripts.update('from-cli', uploadParams(account_id, 'staging'), noContentType), Cloudflare.PermissionDeniedError)
    const missing = await runCli(['token', 'create', '--namespace', 'nope', '--data-dir', t.dataDir])
    assert.equal(missing.code, 1)
    assert.match(missing.stderr, /no dispatch namespace named nope/)
  })

  it('a deny policy wins over an allow policy', async () => {
    const value = await createToken({
      name: 'all-but-staging',
      policies: [
        allow([SCRIPTS_WRITE], accountResource()),
        { effect: 'deny', permission_groups: [{ id: SCRIPTS_WRITE }, { id: SCRIPTS_READ }], resources: { [nsResource('staging')]: '*' } },
      ],
    })
    const ns = (name: string) => t.json(`/accounts/${account_id}/workers/dispatch/namespaces/${name}/scripts`, { token: value })
    assert.equal((await ns('prod')).status, 200)
    assert.equal((await ns('staging')).status, 403)
  })

  it('expired, not-yet-valid and wrong-address tokens are refused', async () => {
    const policies = [allow([SCRIPTS_READ], accountResource())]
    const path = `/accounts/${account_id}/workers/scripts`
    const expired = await createToken({ name: 'old', policies, expires_on: '2001-01-01T00:00:00Z' })
    const early = await createToken({ name: 'early', policies, not_before: '2099-01-01T00:00:00Z' })
    const elsewhere = await createToken({ name: 'far', policies, condition: { request_ip: { in: ['192.0.2.0/24'] } } })
    const excluded = await createToken({ name: 'no-lo', policies, condition: { request_ip: { not_in: ['127.0.0.0/8', '::1/128'] } } })
    const here = await createToken({ name: 'here', policies, condition: { request_ip: { in: ['127.0.0.0/8', '::1/128'] } } })
    assert.equal((await t.json(path, { token: expired })).status, 401)
    assert.equal((await t.json(path, { token: early })).status, 401)
    const far = await t.json(path, { token: elsewhere })
    assert.equal(far.status, 403)
    assert.equal(far.body.errors[0].code, 9109)
    assert.match(far.body.errors[0].message, /Cannot use the access token from location/)
    assert.equal((await t.json(path, { token: excluded })).status, 403)
    assert.equal((await t.json(path, { token: here })).status, 200)
    const listed = await t.json('/user/tokens?per_page=50')
    assert.equal(listed.body.result.find((x: { name: string }) => x.name === 'old').status, 'expired')
  })

  it('refuses malformed policies with a clear 400', async () => {
    const bad = async (body: Record<string, unknown>) => {
      const r = await t.json('/user/tokens', { method: 'POST', ...jsonBody({ name: 'bad', ...body }) })
      assert.equal(r.status, 400, JSON.stringify(r.body))
      return r.body.errors[0].message as string
    }
    assert.match(await bad({ policies: [] }), /policies/)
    assert.match(await bad({ policies: [allow(['0'.repeat(32)], accountResource())] }), /unknown permission group/)
    assert.match(await bad({ policies: [allow([SCRIPTS_READ], `com.cloudflare.api.account.${'b'.repeat(32)}`)] }), /not a resource/)
    assert.match(
      await bad({ policies: [allow([SCRIPTS_READ], accountResource())], condition: { request_ip: { in: ['300.1.1.1/8'] } } }),
      /CIDR/,
    )
  })

  it('the token the platform started with keeps full access and reads as all permissions', async () => {
    const r = await t.json(`/accounts/${account_id}/storage/kv/namespaces`)
    assert.equal(r.status, 200)
    const verified = await admin.user.tokens.verify()
    const first = await admin.user.tokens.get(verified.id)
    const groups = first.policies!.flatMap((p) => p.permission_groups.map((g) => g.name))
    assert.ok(groups.includes('Workers Scripts Write') && groups.includes('API Tokens Write'), groups.join())
  })
})
