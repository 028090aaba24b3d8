import Cloudflare from 'cloudflare'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js'

const CODE_V1 = 'export default { async fetch() { return new Response("v1") } }'
const CODE_V2 = 'export default { async fetch() { return new Response("v2") }, async scheduled() {} }'

/**
 * SDK 7.3.0 flattens object parts of multipart bodies into `metadata[main_module]`-style fields
 * (cloudflare-typescript#2799); sending them as JSON files is the working call shape. Its types ask
 * for objects, hence the one cast.
 */
const jsonFile = <T>(value: T, name: string): T =>
  new File([JSON.stringify(value)], name, { type: 'application/json' }) as unknown as T

const moduleFile = (code: string, name = 'worker.js') =>
  new File([code], name, { type: 'application/javascript+module' })

describe('the cloudflare SDK against dispatch namespaces and their scripts', () => {
  let t: TestPlatform
  let cf: Cloudflare
  let account_id: string
  const dispatch_namespace = 'sdk-ns'
  const params = () => ({ account_id, dispatch_namespace })
  const namespaces = () => cf.workersForPlatforms.dispatch.namespaces
  const scripts = () => cf.workersForPlatforms.dispatch.namespaces.scripts

  before(async () => {
    t = await startTestPlatform()
    // No retries: a 5xx or a 409 must fail the test, not be papered over.
    cf = new Cloudflare({ baseURL: t.platform.apiUrl, apiToken: t.token, maxRetries: 0 })
    account_id = t.accountId
  })
  after(() => t.close())

  it('creates, lists and gets a namespace', async () => {
    const ns = await namespaces().create({ account_id, name: dispatch_namespace })
    assert.equal(ns.namespace_name, dispatch_namespace)
    const names: string[] = []
    for await (const n of namespaces().list({ account_id })) names.push(n.namespace_name!)
    assert.deepEqual(names, [dispatch_namespace])
    const got = await namespaces().get(dispatch_namespace, { account_id })
    assert.equal(got.namespace_id, ns.namespace_id)
  })

  it('uploads with the working call shape and reads the script back', async () => {
    const uploaded = await scripts().update(
      'tenant',
      {
        ...params(),
        metadata: jsonFile(
          {
            main_module: 'worker.js',
            tags: ['sdk'],
            bindings: [{ type: 'plain_text', name: 'VAR', text: 'x' }],
          },
          'metadata.json',
        ),
        files: [moduleFile(CODE_V1)],
      },
      { headers: { 'Content-Type': null } },
    )
    assert.equal(uploaded.id, 'tenant')
    assert.equal(typeof uploaded.startup_time_ms, 'number')
    assert.deepEqual(uploaded.tags, ['sdk'])

    const got = await scripts().get('tenant', params())
    assert.equal(got.script?.id, 'tenant')
    assert.equal(got.dispatch_namespace, dispatch_namespace)
    assert.equal(typeof got.created_on, 'string')
    assert.equal(typeof got.modified_on, 'string')

    const content = await scripts().content.get('tenant', params())
    assert.equal(await content.text(), CODE_V1)
  })

  it("refuses the SDK's default (flattened) upload shape the way Cloudflare does", async () => {
    const err = await scripts()
      .update('flattened', {
        ...params(),
        metadata: { main_module: 'worker.js' },
        files: [moduleFile(CODE_V1)],
      })
      .then(() => undefined, (e: unknown) => e)
    assert.ok(err instanceof Cloudflare.BadRequestError, String(err))
    assert.match(err.message, /10021/)
    assert.match(err.message, /Uncaught SyntaxError/)
  })

  it('replaces the content, keeping bindings', async () => {
    const updated = await scripts().content.update('tenant', {
      ...params(),
      metadata: jsonFile({ main_module: 'worker.js' }, 'metadata.json'),
      files: [moduleFile(CODE_V2)],
    })
    assert.equal(updated.id, 'tenant')
    assert.deepEqual(updated.handlers, ['fetch', 'scheduled'])
    assert.equal(await (await scripts().content.get('tenant', params())).text(), CODE_V2)
    const bindings = []
    for await (const b of scripts().bindings.get('tenant', params())) bindings.push(b)
    assert.deepEqual(bindings, [{ type: 'plain_text', name: 'VAR', text: 'x' }])
  })

  it('gets and edits settings', async () => {
    const settings = await scripts().settings.get('tenant', params())
    assert.equal(settings.logpush, false)
    assert.deepEqual(settings.tags, ['sdk'])
    const edited = await scripts().settings.edit('tenant', {
      ...params(),
      settings: jsonFile(
        { logpush: true, tags: ['sdk', 'edited'], compatibility_date: '2025-03-01' },
        'settings.json',
      ),
    })
    assert.equal(edited.logpush, true)
    assert.deepEqual(edited.tags, ['edited', 'sdk'])
    assert.equal(edited.compatibility_date, '2025-03-01')
    assert.equal((await scripts().settings.get('tenant', params())).compatibility_date, '2025-03-01')
  })

  it('manages secrets without ever reading a value back', async () => {
    const secret = { name: 'API_KEY', text: 'sdk-secret-value', type: 'secret_text' } as const
    const put = await scripts().secrets.update('tenant', { ...params(), ...secret })
    assert.deepEqual(put, { name: 'API_KEY', type: 'secret_text' })
    const listed = []
    for await (const s of scripts().secrets.list('tenant', params())) listed.push(s)
    assert.deepEqual(listed, [{ name: 'API_KEY', type: 'secret_text' }])
    const one = await scripts().secrets.get('API_KEY', { ...params(), script_name: 'tenant' })
    assert.deepEqual(one, { name: 'API_KEY', type: 'secret_text' })
    const settings = await scripts().settings.get('tenant', params())
    assert.ok(!JSON.stringify(settings).includes('sdk-secret-value'))
    await scripts().secrets.delete('API_KEY', { ...params(), script_name: 'tenant' })
    const gone = scripts().secrets.get('API_KEY', { ...params(), script_name: 'tenant' })
    await assert.rejects(gone, Cloudflare.NotFoundError)
  })

  it('updates, lists and deletes tags', async () => {
    const updated = []
    for await (const tag of scripts().tags.update('tenant', { ...params(), body: ['a', 'b'] })) {
      updated.push(tag)
    }
    assert.deepEqual(updated, ['a', 'b'])
    const listed = []
    for await (const tag of scripts().tags.list('tenant', params())) listed.push(tag)
    assert.deepEqual(listed, ['a', 'b'])
    await scripts().tags.delete('a', { ...params(), script_name: 'tenant' })
    const after = []
    for await (const tag of scripts().tags.list('tenant', params())) after.push(tag)
    assert.deepEqual(after, ['b'])
  })

  it('uploads static assets through an upload session and attaches them to a script', async () => {
    const html = '<h1>from the SDK</h1>'
    const hash = createHash('sha256').update(html).digest('hex').slice(0, 32)
    const session = await scripts().assetUpload.create('site', {
      ...params(),
      manifest: { '/index.html': { hash, size: html.length } },
    })
    assert.deepEqual(session.buckets, [[hash]])
    const upload = await cf.workers.assets.upload.create(
      { account_id, base64: true, body: { [hash]: Buffer.from(html).toString('base64') } },
      { headers: { Authorization: `Bearer ${session.jwt}` } },
    )
    assert.equal(typeof upload.jwt, 'string')
    const uploaded = await scripts().update(
      'site',
      {
        ...params(),
        metadata: jsonFile({ main_module: 'worker.js', assets: { jwt: upload.jwt, config: { html_handling: 'none' } } }, 'metadata.json'),
        files: [moduleFile(CODE_V1)],
      },
      { headers: { 'Content-Type': null } },
    )
    assert.equal(uploaded.has_assets, true)
    assert.equal((await scripts().get('site', params())).script?.has_assets, true)
    // Nothing left to upload: the session's token is already the completion token.
    const again = await scripts().assetUpload.create('site', { ...params(), manifest: { '/index.html': { hash, size: html.length } } })
    assert.deepEqual(again.buckets, [])
  })

  it('deletes the script and then the namespace', async () => {
    await scripts().delete('tenant', { ...params(), force: true })
    const err = await scripts()
      .get('tenant', params())
      .then(() => undefined, (e: unknown) => e)
    assert.ok(err instanceof Cloudflare.NotFoundError)
    assert.match(err.message, /10092/)
    await namespaces().delete(dispatch_namespace, { account_id })
    await assert.rejects(namespaces().get(dispatch_namespace, { account_id }), Cloudflare.NotFoundError)
  })
})
