import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { jsonBody, startTestPlatform, type TestPlatform } from '../helpers/platform.js'
import { moduleWorker, wranglerForm } from './helpers/account-scripts.js'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
const WRANGLER = { 'user-agent': 'wrangler/4.164.0' }

describe('wrangler deploy of a dispatch Worker (account-level scripts)', () => {
  let t: TestPlatform
  let a: string
  let kvId: string
  let firstVersion: string
  before(async () => {
    t = await startTestPlatform()
    a = `/accounts/${t.accountId}/workers`
    await t.json(`${a}/dispatch/namespaces`, { method: 'POST', ...jsonBody({ name: 'production' }) })
    const kv = await t.json(`/accounts/${t.accountId}/storage/kv/namespaces`, {
      method: 'POST',
      ...jsonBody({ title: 'routing' }),
    })
    kvId = kv.body.result.id
    await t.json('/zones', { method: 'POST', ...jsonBody({ name: 'example.com', account: { id: t.accountId } }) })
  })
  after(() => t.close())

  const get = (path: string) => t.json(path, { headers: WRANGLER })
  const dispatcherCode = (greeting: string) =>
    moduleWorker(
      `const name = new URL(request.url).hostname.split('.')[0]; ` +
        `return env.dispatcher.get(name).fetch(request) /* ${greeting} */`,
    )

  it('first deploy: every call in order, as wrangler 4.164 makes them', async () => {
    const notFound = (res: { status: number; body: any }, step: string) => {
      assert.equal(res.status, 404, step)
      assert.equal(res.body.errors[0].code, 10007, step)
    }
    notFound(await get(`${a}/services/dispatcher`), 'services')
    notFound(await get(`${a}/scripts/dispatcher/secrets`), 'secrets')
    assert.equal((await get(`${a}/subdomain`)).body.result.subdomain, 'admin')
    notFound(await get(`${a}/scripts/dispatcher/deployments`), 'deployments')
    assert.equal((await get(`${a}/scripts/dispatcher/settings`)).status, 404, 'settings: any error is tolerated')
    const namespaces = await get(`${a}/dispatch/namespaces?page=1`)
    assert.ok(namespaces.body.result.some((n: any) => n.namespace_name === 'production'))

    const metadata = {
      main_module: 'index.js',
      bindings: [
        { name: 'dispatcher', type: 'dispatch_namespace', namespace: 'production' },
        { name: 'ROUTES', type: 'kv_namespace', namespace_id: kvId },
        { name: 'GREETING', type: 'plain_text', text: 'hello' },
      ],
      compatibility_date: '2025-06-01',
      compatibility_flags: [],
      code_update_strategy: { mode: 'deferred', max_delay: 300 },
      observability: { enabled: false },
      logpush: false,
    }
    const form = wranglerForm(metadata, [
      dispatcherCode('v1'),
      { name: 'index.js.map', content: '{"version":3,"sources":[],"mappings":""}', type: 'application/source-map' },
    ])
    const put = await t.json(`${a}/scripts/dispatcher?excludeScript=true&bindings_inherit=strict`, {
      method: 'PUT',
      body: form,
      headers: WRANGLER,
    })
    assert.equal(put.status, 200, JSON.stringify(put.body))
    const uploaded = put.body.result
    assert.match(uploaded.deployment_id, UUID, 'printed as "Current Version ID"')
    assert.equal(typeof uploaded.startup_time_ms, 'number')
    assert.equal(uploaded.id, 'dispatcher')
    assert.match(uploaded.etag, /^[0-9a-f]{64}$/)
    assert.deepEqual(uploaded.handlers, ['fetch'])
    firstVersion = uploaded.deployment_id

    const worker = await get(`${a}/workers/dispatcher`)
    assert.equal(worker.body.result.subdomain.enabled, true)
    assert.equal(worker.body.result.subdomain.previews_enabled, false)
    const subdomain = await t.json(`${a}/scripts/dispatcher/subdomain`, {
      method: 'POST',
      ...jsonBody({ enabled: false, previews_enabled: false }),
    })
    assert.deepEqual(subdomain.body.result, { enabled: false, previews_enabled: false })

    // routes = [{ pattern = "*.platform.example.com/*", zone_name = "example.com" }]
    const routes = await t.json(`${a}/scripts/dispatcher/routes`, {
      method: 'PUT',
      ...jsonBody([{ pattern: '*.platform.example.com/*', zone_name: 'example.com' }]),
    })
    assert.equal(routes.status, 200, JSON.stringify(routes.body))

    const deployments = (await get(`${a}/scripts/dispatcher/deployments`)).body.result.deployments
    assert.equal(deployments.length, 1)
    assert.deepEqual(deployments[0].versions, [{ version_id: firstVersion, percentage: 100 }])
    assert.equal(deployments[0].strategy, 'percentage')
    assert.equal(deployments[0].source, 'wrangler')
    assert.equal(deployments[0].author_email, 'admin@workerhive.local')
  })

  it('redeploy: services, settings, a version with inherit bindings, its deployment, script-settings', async () => {
    const service = await get(`${a}/services/dispatcher`)
    assert.equal(service.status, 200)
    const script = service.body.result.default_environment.script
    assert.equal(service.body.result.default_environment.environment, 'production')
    assert.match(script.tag, UUID)
    assert.deepEqual(script.tags, [])
    assert.equal(script.last_deployed_from, 'wrangler')
    assert.deepEqual((await get(`${a}/scripts/dispatcher/secrets`)).body.result, [])
    assert.equal((await get(`${a}/scripts/dispatcher/deployments`)).body.result.deployments.length, 1)

    const settings = await get(`${a}/scripts/dispatcher/settings`)
    assert.equal(settings.status, 200)
    assert.deepEqual(
      settings.body.result.bindings.map((b: any) => [b.name, b.type]),
      [['dispatcher', 'dispatch_namespace'], ['ROUTES', 'kv_namespace'], ['GREETING', 'plain_text']],
    )

    const metadata = {
      main_module: 'index.js',
      bindings: [
        { name: 'dispatcher', type: 'inherit' },
        { name: 'ROUTES', type: 'kv_namespace', namespace_id: kvId },
        { name: 'GREETING', type: 'plain_text', text: 'bonjour' },
      ],
      compatibility_date: '2025-06-01',
      compatibility_flags: [],
      annotations: { 'workers/message': 'second' },
    }
    const uploaded = await t.json(`${a}/scripts/dispatcher/versions?bindings_inherit=strict`, {
      method: 'POST',
      body: wranglerForm(metadata, [dispatcherCode('v2')]),
      headers: WRANGLER,
    })
    assert.equal(uploaded.status, 200, JSON.stringify(uploaded.body))
    const version = uploaded.body.result
    assert.match(version.id, UUID)
    assert.equal(version.number, 2)
    assert.match(version.resources.script.etag, /^[0-9a-f]{64}$/)
    assert.equal(typeof version.startup_time_ms, 'number')
    assert.equal(version.annotations['workers/message'], 'second')
    assert.equal(version.annotations['workers/triggered_by'], 'version_upload')
    assert.deepEqual(version.resources.bindings.find((b: any) => b.name === 'dispatcher'), {
      name: 'dispatcher',
      type: 'dispatch_namespace',
      namespace: 'production',
    })
    assert.equal(version.resources.script_runtime.compatibility_date, '2025-06-01')
    assert.equal(version.metadata.author_email, 'admin@workerhive.local')

    // Uploaded but not deployed yet: the first version still serves.
    const before = (await get(`${a}/scripts/dispatcher/deployments`)).body.result.deployments
    assert.equal(before[0].versions[0].version_id, firstVersion)
    const stillServing = (await get(`${a}/scripts/dispatcher/settings`)).body.result.bindings
    assert.equal(stillServing.find((b: any) => b.name === 'GREETING').text, 'hello')

    const deployed = await t.json(`${a}/scripts/dispatcher/deployments`, {
      method: 'POST',
      ...jsonBody({
        strategy: 'percentage',
        versions: [{ version_id: version.id, percentage: 100 }],
        annotations: {},
      }),
    })
    assert.equal(deployed.status, 200, JSON.stringify(deployed.body))
    assert.match(deployed.body.result.id, UUID)
    const after = (await get(`${a}/scripts/dispatcher/deployments`)).body.result.deployments
    assert.equal(after.length, 2)
    assert.deepEqual(after[0].versions, [{ version_id: version.id, percentage: 100 }])
    assert.equal(after[0].annotations['workers/triggered_by'], 'deployment')

    const scriptSettings = await t.json(`${a}/scripts/dispatcher/script-settings`, {
      method: 'PATCH',
      ...jsonBody({ observability: { enabled: false }, tags: [], logpush: false, tail_consumers: [] }),
    })
    assert.equal(scriptSettings.status, 200, JSON.stringify(scriptSettings.body))
    assert.deepEqual(scriptSettings.body.result.observability, { enabled: false })

    const now = (await get(`${a}/scripts/dispatcher/settings`)).body.result
    assert.equal(now.bindings.find((b: any) => b.name === 'GREETING').text, 'bonjour')
    assert.equal(now.bindings.find((b: any) => b.name === 'dispatcher').namespace, 'production')
    const code = await t.api(`${a}/scripts/dispatcher`)
    assert.match(await code.text(), /\/\* v2 \*\//)
  })

  it('lists versions and reads each one, as `wrangler versions list` and `deployments list` do', async () => {
    const listed = await get(`${a}/scripts/dispatcher/versions?deployable=true`)
    assert.equal(listed.status, 200)
    const items = listed.body.result.items
    assert.deepEqual(items.map((v: any) => v.number), [2, 1])
    for (const v of items) {
      assert.ok(v.metadata.created_on && v.metadata.author_email && v.metadata.source)
      assert.equal(typeof v.annotations, 'object')
      const one = await get(`${a}/scripts/dispatcher/versions/${v.id}`)
      assert.equal(one.body.result.id, v.id)
    }
    assert.equal(items[1].annotations['workers/triggered_by'], 'upload')

    const paged = await get(`${a}/scripts/dispatcher/versions?per_page=1&page=2`)
    assert.deepEqual(paged.body.result.items.map((v: any) => v.number), [1])
    assert.deepEqual((await get(`${a}/scripts/dispatcher/versions?per_page=1&page=3`)).body.result.items, [])
    const missing = await get(`${a}/scripts/dispatcher/versions/${'0'.repeat(8)}-0000-0000-0000-${'0'.repeat(12)}`)
    assert.equal(missing.status, 404)
    assert.equal(missing.body.errors[0].code, 10007)
  })

  it('refuses bad deployments and changes nothing', async () => {
    const versions = (await get(`${a}/scripts/dispatcher/versions`)).body.result.items.map((v: any) => v.id)
    const deploy = (body: unknown) =>
      t.json(`${a}/scripts/dispatcher/deployments`, { method: 'POST', ...jsonBody(body) })
    const bad = [
      { strategy: 'percentage', versions: [{ version_id: versions[0], percentage: 60 }] },
      { strategy: 'percentage', versions: [] },
      { strategy: 'immediate', versions: [{ version_id: versions[0], percentage: 100 }] },
      { strategy: 'percentage', versions: [{ version_id: 'nope', percentage: 100 }] },
      {
        strategy: 'percentage',
        versions: [
          { version_id: versions[0], percentage: 50 },
          { version_id: versions[0], percentage: 50 },
        ],
      },
    ]
    const before = (await get(`${a}/scripts/dispatcher/deployments`)).body.result.deployments.length
    for (const body of bad) {
      const res = await deploy(body)
      assert.ok(res.status === 400 || res.status === 404, JSON.stringify(res.body))
      assert.equal(res.body.success, false)
    }
    assert.equal((await get(`${a}/scripts/dispatcher/deployments`)).body.result.deployments.length, before)

    // a gradual rollout between two versions is accepted and the larger share serves
    const split = await deploy({
      strategy: 'percentage',
      versions: [
        { version_id: versions[1], percentage: 90 },
        { version_id: versions[0], percentage: 10 },
      ],
    })
    assert.equal(split.status, 200)
    assert.equal((await t.api(`${a}/scripts/dispatcher`).then((r) => r.text())).includes('/* v1 */'), true)
    await deploy({ strategy: 'percentage', versions: [{ version_id: versions[0], percentage: 100 }] })
  })

  it('rejects an `inherit` with nothing to inherit under bindings_inherit=strict (10057)', async () => {
    const before = (await get(`${a}/scripts/dispatcher/versions`)).body.result.items.length
    const inheritNothing = () =>
      wranglerForm({ main_module: 'index.js', bindings: [{ name: 'NOPE', type: 'inherit' }] }, [dispatcherCode('x')])
    const res = await t.json(`${a}/scripts/dispatcher/versions?bindings_inherit=strict`, {
      method: 'POST',
      body: inheritNothing(),
    })
    assert.equal(res.status, 400)
    assert.equal(res.body.errors[0].code, 10057)
    assert.equal((await get(`${a}/scripts/dispatcher/versions`)).body.result.items.length, before)
    const first = await t.json(`${a}/scripts/brand-new?bindings_inherit=strict`, {
      method: 'PUT',
      body: inheritNothing(),
    })
    assert.equal(first.body.errors[0].code, 10057)
    assert.equal((await get(`${a}/services/brand-new`)).status, 404)
  })

  it('uploading a version of a Worker that does not exist is 10007', async () => {
    const res = await t.json(`${a}/scripts/ghost/versions`, {
      method: 'POST',
      body: wranglerForm({ main_module: 'index.js' }, [dispatcherCode('x')]),
    })
    assert.equal(res.status, 404)
    assert.equal(res.body.errors[0].code, 10007)
  })
})

describe('wrangler secret put on account Workers', () => {
  let t: TestPlatform
  let a: string
  before(async () => {
    t = await startTestPlatform()
    a = `/accounts/${t.accountId}/workers/scripts`
  })
  after(() => t.close())

  it('on a missing Worker: 10007, a placeholder upload, then the secret', async () => {
    const secret = { name: 'API_KEY', text: 's3cret', type: 'secret_text' }
    const first = await t.json(`${a}/my-worker/secrets`, { method: 'PUT', ...jsonBody(secret) })
    assert.equal(first.status, 404)
    assert.equal(first.body.errors[0].code, 10007)

    // wrangler's placeholder: the part is named after the Worker, without `.js`
    const form = wranglerForm({ main_module: 'my-worker', bindings: [], logpush: false }, [
      { name: 'my-worker', content: 'export default { fetch() {} }', type: 'application/javascript+module' },
    ])
    const placeholder = await t.json(`${a}/my-worker`, { method: 'PUT', body: form })
    assert.equal(placeholder.status, 200, JSON.stringify(placeholder.body))

    const again = await t.json(`${a}/my-worker/secrets`, { method: 'PUT', ...jsonBody(secret) })
    assert.equal(again.status, 200, JSON.stringify(again.body))
    assert.deepEqual(again.body.result, { name: 'API_KEY', type: 'secret_text' })

    const listed = await t.json(`${a}/my-worker/secrets`)
    assert.deepEqual(listed.body.result, [{ name: 'API_KEY', type: 'secret_text' }])
    const one = await t.json(`${a}/my-worker/secrets/API_KEY`)
    assert.deepEqual(one.body.result, { name: 'API_KEY', type: 'secret_text' })
    assert.doesNotMatch(JSON.stringify((await t.json(`${a}/my-worker/settings`)).body), /s3cret/)
  })

  it('keeps secrets across a plain deploy, and deletes them on request', async () => {
    const deploy = await t.json(`${a}/my-worker?excludeScript=true&bindings_inherit=strict`, {
      method: 'PUT',
      body: wranglerForm(
        { main_module: 'index.js', bindings: [{ name: 'MODE', type: 'plain_text', text: 'prod' }] },
        [moduleWorker('return new Response(env.API_KEY)')],
      ),
    })
    assert.equal(deploy.status, 200)
    assert.deepEqual((await t.json(`${a}/my-worker/secrets`)).body.result, [{ name: 'API_KEY', type: 'secret_text' }])

    const bulk = await t.json(`${a}/my-worker/secrets-bulk`, {
      method: 'PATCH',
      ...jsonBody({ secrets: { OTHER: { type: 'secret_text', text: 'x' } } }),
    })
    assert.equal(bulk.status, 200)
    assert.equal((await t.json(`${a}/my-worker/secrets/API_KEY`, { method: 'DELETE' })).status, 200)
    assert.deepEqual((await t.json(`${a}/my-worker/secrets`)).body.result, [{ name: 'OTHER', type: 'secret_text' }])
    const gone = await t.json(`${a}/my-worker/secrets/API_KEY`)
    assert.equal(gone.status, 404)
  })
})

describe('account scripts: download, list, delete, names, isolation', () => {
  let t: TestPlatform
  let a: string
  const upload = (name: string, metadata: Record<string, unknown> = {}, token?: string, accountPath?: string) =>
    t.json(`${accountPath ?? a}/${name}`, {
      method: 'PUT',
      body: wranglerForm({ main_module: 'index.js', ...metadata }, [moduleWorker(`return new Response('${name}')`)]),
      ...(token ? { token } : {}),
    })
  before(async () => {
    t = await startTestPlatform()
    a = `/accounts/${t.accountId}/workers/scripts`
  })
  after(() => t.close())

  it('answers the raw main module for GET', async () => {
    assert.equal((await upload('raw')).status, 200)
    const res = await t.api(`${a}/raw`)
    assert.equal(res.status, 200)
    assert.match(res.headers.get('content-type') ?? '', /javascript/)
    assert.match(await res.text(), /new Response\('raw'\)/)
    const missing = await t.json(`${a}/missing`)
    assert.equal(missing.status, 404)
    assert.equal(missing.body.errors[0].code, 10007)
  })

  it('lists scripts with a tag filter', async () => {
    await upload('tagged-a', { tags: ['customer', 'pro'] })
    await upload('tagged-b', { tags: ['customer'] })
    const all = await t.json(a)
    assert.deepEqual(all.body.result.map((s: any) => s.id).sort(), ['raw', 'tagged-a', 'tagged-b'])
    const pro = await t.json(`${a}?tags=customer:yes,pro:no`)
    assert.deepEqual(pro.body.result.map((s: any) => s.id), ['tagged-b'])
    const bad = await t.json(`${a}?tags=nonsense`)
    assert.equal(bad.status, 400)
  })

  it('deletes a script with its routes', async () => {
    await t.json('/zones', { method: 'POST', ...jsonBody({ name: 'del.test', account: { id: t.accountId } }) })
    await upload('doomed')
    const routes = [{ pattern: 'del.test/*', zone_name: 'del.test' }]
    await t.json(`${a}/doomed/routes`, { method: 'PUT', ...jsonBody(routes) })
    const deleted = await t.json(`${a}/doomed?force=true`, { method: 'DELETE' })
    assert.equal(deleted.status, 200)
    assert.equal((await t.json(`${a}/doomed`)).status, 404)
    const zoneId = (await t.json('/zones?name=del.test')).body.result[0].id
    assert.deepEqual((await t.json(`/zones/${zoneId}/workers/routes`)).body.result, [])
    const again = await t.json(`${a}/doomed`, { method: 'DELETE' })
    assert.equal(again.status, 404)
    assert.equal(again.body.errors[0].code, 10007)
  })

  it('applies the account-level name rule (10016) and stores nothing', async () => {
    for (const name of ['Upper', 'under_score_', '-dash', 'a'.repeat(64), 'dot.name']) {
      const res = await upload(encodeURIComponent(name))
      assert.equal(res.status, 400, name)
      assert.equal(res.body.errors[0].code, 10016, name)
    }
    assert.equal((await t.json(`${a}/Upper`)).status, 404)
  })

  it('rejects broken uploads with 10021 and keeps the old version', async () => {
    await upload('keeper')
    const broken = await t.json(`${a}/keeper`, {
      method: 'PUT',
      body: wranglerForm({ main_module: 'index.js' }, [
        { name: 'index.js', content: 'export default {', type: 'application/javascript+module' },
      ]),
    })
    assert.equal(broken.status, 400)
    assert.equal(broken.body.errors[0].code, 10021)
    assert.match(await (await t.api(`${a}/keeper`)).text(), /new Response\('keeper'\)/)
  })

  it("hides one account's scripts from another", async () => {
    const other = await t.otherAccount()
    const theirs = `/accounts/${other.accountId}/workers/scripts`
    assert.equal((await upload('raw', {}, other.token, theirs)).status, 200, 'the same name in another account')
    assert.equal((await t.json(`${theirs}/raw`, { token: t.token })).status, 403)
    const service = await t.json(`/accounts/${other.accountId}/workers/services/tagged-a`, { token: other.token })
    assert.equal(service.status, 404)
    assert.deepEqual((await t.json(theirs, { token: other.token })).body.result.map((s: any) => s.id), ['raw'])
  })
})
