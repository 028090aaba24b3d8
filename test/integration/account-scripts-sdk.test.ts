import Cloudflare from 'cloudflare'
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js'

/** The upload call shape that works against Cloudflare with SDK 7.3.0 (real-clients.md §4). */
const files = (code: string) => [new File([code], 'worker.js', { type: 'application/javascript+module' })]
type Metadata = Cloudflare.Workers.ScriptUpdateParams['metadata']
const metadataFile = (meta: Record<string, unknown>) =>
  new File([JSON.stringify(meta)], 'metadata.json', { type: 'application/json' }) as unknown as Metadata
const emptyWorker = () => ({
  metadata: metadataFile({ main_module: 'worker.js' }),
  files: files('export default { fetch() {} }'),
})
const noSdkContentType = { headers: { 'Content-Type': null } }

describe('the cloudflare SDK against account Workers, zones and routes', () => {
  let t: TestPlatform
  let cf: Cloudflare
  let account_id: string
  before(async () => {
    t = await startTestPlatform()
    // No retries: a 5xx or a 409 must fail the test, not be papered over.
    cf = new Cloudflare({ baseURL: t.platform.apiUrl, apiToken: t.token, maxRetries: 0 })
    account_id = t.accountId
  })
  after(() => t.close())

  it('uploads, reads, lists and deletes scripts (workers.scripts.*)', async () => {
    const uploaded = await cf.workers.scripts.update(
      'sdk-worker',
      {
        account_id,
        metadata: metadataFile({ main_module: 'worker.js', compatibility_date: '2025-01-01', tags: ['sdk'] }),
        files: files("export default { fetch() { return new Response('sdk') } }"),
      },
      noSdkContentType,
    )
    assert.equal(uploaded.id, 'sdk-worker')
    assert.equal(typeof uploaded.startup_time_ms, 'number')

    // Raw text, not an envelope.
    assert.match(await cf.workers.scripts.get('sdk-worker', { account_id }), /new Response\('sdk'\)/)

    const names: string[] = []
    for await (const s of cf.workers.scripts.list({ account_id, tags: 'sdk:yes' })) names.push(s.id ?? '')
    assert.deepEqual(names, ['sdk-worker'])

    const secret = { account_id, name: 'TOKEN', text: 'x', type: 'secret_text' as const }
    await cf.workers.scripts.secrets.update('sdk-worker', secret)
    const secrets: string[] = []
    for await (const s of cf.workers.scripts.secrets.list('sdk-worker', { account_id })) secrets.push(s.name)
    assert.deepEqual(secrets, ['TOKEN'])

    const settings = await cf.workers.scripts.scriptAndVersionSettings.get('sdk-worker', { account_id })
    assert.deepEqual(settings.bindings?.map((b) => b.name), ['TOKEN'])
    const nonVersioned = await cf.workers.scripts.settings.edit('sdk-worker', { account_id, logpush: true })
    assert.equal(nonVersioned.logpush, true)
    assert.equal((await cf.workers.scripts.settings.get('sdk-worker', { account_id })).logpush, true)

    const sub = await cf.workers.scripts.subdomain.create('sdk-worker', { account_id, enabled: false })
    assert.deepEqual(sub, { enabled: false, previews_enabled: false })
    assert.equal((await cf.workers.subdomains.get({ account_id })).subdomain, 'admin')

    await cf.workers.scripts.delete('sdk-worker', { account_id, force: true })
    await assert.rejects(cf.workers.scripts.get('sdk-worker', { account_id }), Cloudflare.NotFoundError)
  })

  it('uploads versions and deploys them (workers.scripts.versions / deployments)', async () => {
    await cf.workers.scripts.update('versioned', { account_id, ...emptyWorker() }, noSdkContentType)
    const version = await cf.workers.scripts.versions.create(
      'versioned',
      {
        account_id,
        metadata: metadataFile({ main_module: 'worker.js', annotations: { 'workers/message': 'two' } }) as never,
        files: files("export default { fetch() { return new Response('two') } }"),
      },
      noSdkContentType,
    )
    assert.equal(version.number, 2)

    // V4 pages: the SDK asks for page after page until `result.items` is empty.
    const numbers: number[] = []
    for await (const v of cf.workers.scripts.versions.list('versioned', { account_id, per_page: 1 })) {
      numbers.push(v.number ?? 0)
      assert.ok(numbers.length <= 2, 'listing must terminate')
    }
    assert.deepEqual(numbers, [2, 1])
    const got1 = await cf.workers.scripts.versions.get(version.id!, { account_id, script_name: 'versioned' })
    assert.equal(got1.id, version.id)

    const deployment = await cf.workers.scripts.deployments.create('versioned', {
      account_id,
      strategy: 'percentage',
      versions: [{ version_id: version.id!, percentage: 100 }],
      annotations: { 'workers/message': 'ship it' },
    })
    assert.deepEqual(deployment.versions, [{ version_id: version.id, percentage: 100 }])
    assert.equal(deployment.annotations?.['workers/message'], 'ship it')
    const got = await cf.workers.scripts.deployments.get(deployment.id!, { account_id, script_name: 'versioned' })
    assert.equal(got.id, deployment.id)
    assert.match(await cf.workers.scripts.get('versioned', { account_id }), /'two'/)
  })

  it('creates zones and routes (zones.* and workers.routes.*)', async () => {
    await cf.workers.scripts.update('router', { account_id, ...emptyWorker() }, noSdkContentType)
    const zone = await cf.zones.create({ account: { id: account_id }, name: 'sdk.example' })
    assert.equal(zone.name, 'sdk.example')
    const found: string[] = []
    for await (const z of cf.zones.list({ account: { id: account_id }, name: 'sdk.example' })) found.push(z.id)
    assert.deepEqual(found, [zone.id])
    assert.equal((await cf.zones.get({ zone_id: zone.id })).name, 'sdk.example')

    const route = await cf.workers.routes.create({ zone_id: zone.id, pattern: '*.sdk.example/*', script: 'router' })
    assert.equal(route.script, 'router')
    const routes: string[] = []
    for await (const r of cf.workers.routes.list({ zone_id: zone.id })) routes.push(r.pattern)
    assert.deepEqual(routes, ['*.sdk.example/*'])
    const change = { zone_id: zone.id, pattern: 'api.sdk.example/*', script: 'router' }
    const updated = await cf.workers.routes.update(route.id, change)
    assert.equal(updated.pattern, 'api.sdk.example/*')
    await cf.workers.routes.delete(route.id, { zone_id: zone.id })
    await assert.rejects(cf.workers.routes.get(route.id, { zone_id: zone.id }), Cloudflare.NotFoundError)

    const again = cf.zones.create({ account: { id: account_id }, name: 'sdk.example' })
    await assert.rejects(again, Cloudflare.ConflictError)
    await cf.zones.delete({ zone_id: zone.id })
    await assert.rejects(cf.zones.get({ zone_id: zone.id }), Cloudflare.NotFoundError)
  })
})
