import Cloudflare from 'cloudflare'
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js'

describe('the cloudflare SDK against the KV API', () => {
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

  it('creates, lists page by page to the end, renames, gets and deletes namespaces', async () => {
    const created = await cf.kv.namespaces.create({ account_id, title: 'sdk-main' })
    assert.match(created.id, /^[0-9a-f]{32}$/)
    assert.equal(created.title, 'sdk-main')
    assert.equal(created.supports_url_encoding, true)
    for (let i = 0; i < 4; i++) await cf.kv.namespaces.create({ account_id, title: `sdk-extra-${i}` })

    // The SDK stops paging only on an empty page; a server that ignored `page` would loop forever.
    const titles: string[] = []
    for await (const ns of cf.kv.namespaces.list({ account_id, per_page: 2, order: 'title', direction: 'asc' })) {
      titles.push(ns.title)
      assert.ok(titles.length <= 5, 'listing must terminate')
    }
    assert.deepEqual(titles, ['sdk-extra-0', 'sdk-extra-1', 'sdk-extra-2', 'sdk-extra-3', 'sdk-main'])

    const renamed = await cf.kv.namespaces.update(created.id, { account_id, title: 'sdk-renamed' })
    assert.equal(renamed.title, 'sdk-renamed')
    assert.equal((await cf.kv.namespaces.get(created.id, { account_id })).title, 'sdk-renamed')

    await assert.rejects(cf.kv.namespaces.create({ account_id, title: 'sdk-renamed' }), Cloudflare.BadRequestError)
    await cf.kv.namespaces.delete(created.id, { account_id })
    await assert.rejects(cf.kv.namespaces.get(created.id, { account_id }), Cloudflare.NotFoundError)
  })

  it('writes, reads, lists and deletes values', async () => {
    const { id: namespace_id } = await cf.kv.namespaces.create({ account_id, title: 'sdk-values' })
    await cf.kv.namespaces.values.update('greeting', {
      account_id,
      namespace_id,
      value: 'hello from the SDK',
      metadata: JSON.stringify({ lang: 'en' }),
      expiration_ttl: 3600,
    })
    await cf.kv.namespaces.values.update('with/slash & spaces', { account_id, namespace_id, value: 'encoded' })

    const res = await cf.kv.namespaces.values.get('greeting', { account_id, namespace_id })
    assert.equal(await res.text(), 'hello from the SDK')
    assert.ok(Number(res.headers.get('expiration')) > Date.now() / 1000)
    assert.equal(await (await cf.kv.namespaces.values.get('with/slash & spaces', { account_id, namespace_id })).text(), 'encoded')
    assert.deepEqual(await cf.kv.namespaces.metadata.get('greeting', { account_id, namespace_id }), { lang: 'en' })

    const listed = []
    for await (const key of cf.kv.namespaces.keys.list(namespace_id, { account_id })) listed.push(key)
    assert.deepEqual(listed.map((k) => k.name), ['greeting', 'with/slash & spaces'])
    assert.deepEqual(listed[0]?.metadata, { lang: 'en' })

    await cf.kv.namespaces.values.delete('greeting', { account_id, namespace_id })
    await assert.rejects(cf.kv.namespaces.values.get('greeting', { account_id, namespace_id }), Cloudflare.NotFoundError)
  })

  it('bulk-writes, pages keys with a cursor, bulk-reads and bulk-deletes', async () => {
    const { id: namespace_id } = await cf.kv.namespaces.create({ account_id, title: 'sdk-bulk' })
    const body = Array.from({ length: 25 }, (_, i) => ({ key: `item-${String(i).padStart(2, '0')}`, value: JSON.stringify({ i }) }))
    const written = await cf.kv.namespaces.bulkUpdate(namespace_id, {
      account_id,
      body: [...body, { key: 'meta', value: '"m"', metadata: { tag: 'x' } }],
    })
    assert.equal(written?.successful_key_count, 26)
    assert.deepEqual(written?.unsuccessful_keys, [])

    const names: string[] = []
    for await (const key of cf.kv.namespaces.keys.list(namespace_id, { account_id, prefix: 'item-', limit: 10 })) names.push(key.name)
    assert.deepEqual(names, body.map((b) => b.key))

    const got = await cf.kv.namespaces.bulkGet(namespace_id, { account_id, keys: ['item-03', 'meta', 'absent'], type: 'json' })
    assert.deepEqual(got?.values, { 'item-03': { i: 3 }, meta: 'm', absent: null })
    const withMeta = await cf.kv.namespaces.bulkGet(namespace_id, { account_id, keys: ['meta'], withMetadata: true })
    assert.deepEqual(withMeta?.values, { meta: { value: '"m"', metadata: { tag: 'x' } } })

    const deleted = await cf.kv.namespaces.bulkDelete(namespace_id, { account_id, body: body.map((b) => b.key) })
    assert.equal(deleted?.successful_key_count, 25)
    const left = []
    for await (const key of cf.kv.namespaces.keys.list(namespace_id, { account_id })) left.push(key.name)
    assert.deepEqual(left, ['meta'])
  })

  it('surfaces Cloudflare\'s errors as the SDK\'s typed errors', async () => {
    const { id: namespace_id } = await cf.kv.namespaces.create({ account_id, title: 'sdk-errors' })
    await assert.rejects(
      cf.kv.namespaces.values.update('k', { account_id, namespace_id, value: 'v', expiration_ttl: 10 }),
      (e: unknown) => e instanceof Cloudflare.BadRequestError && /Expiration TTL must be at least 60/.test(e.message),
    )
    await assert.rejects(cf.kv.namespaces.values.get('k', { account_id, namespace_id }), Cloudflare.NotFoundError)
    await assert.rejects(cf.kv.namespaces.keys.list('0'.repeat(32), { account_id }), Cloudflare.NotFoundError)
  })
})
