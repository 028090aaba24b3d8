import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { ManualClock } from '../helpers/manual-clock.js'
import { jsonBody, startTestPlatform, type TestPlatform } from '../helpers/platform.js'

const MiB = 1024 * 1024

describe('KV values, keys and bulk API', () => {
  const clock = new ManualClock(Date.UTC(2030, 0, 1))
  let t: TestPlatform
  let ns: string
  const now = () => Math.floor(clock.now() / 1000)
  const value = (key: string) => t.api(`${ns}/values/${encodeURIComponent(key)}`)
  const valueText = async (key: string) => (await value(key)).text()
  const put = (key: string, body: RequestInit['body'], query = '', headers: Record<string, string> = {}) =>
    t.json(`${ns}/values/${encodeURIComponent(key)}${query}`, { method: 'PUT', body, headers })
  const listNames = async (query = '') => (await t.json(`${ns}/keys${query}`)).body.result.map((k: { name: string }) => k.name)

  before(async () => {
    t = await startTestPlatform({}, clock)
    const created = await t.json(`/accounts/${t.accountId}/storage/kv/namespaces`, { method: 'POST', ...jsonBody({ title: 'values' }) })
    ns = `/accounts/${t.accountId}/storage/kv/namespaces/${created.body.result.id}`
  })
  after(() => t.close())

  it('writes a raw body of any content type and reads back the raw bytes', async () => {
    const written = await put('greeting', 'hello', '', { 'content-type': 'text/plain;charset=UTF-8' })
    assert.equal(written.status, 200)
    assert.equal(written.body.success, true)
    const res = await value('greeting')
    assert.equal(res.status, 200)
    assert.equal(res.headers.get('content-type'), 'application/octet-stream')
    assert.equal(res.headers.get('expiration'), null)
    assert.equal(await res.text(), 'hello')

    const bytes = new Uint8Array(256).map((_, i) => i)
    await put('binary', bytes, '', { 'content-type': 'application/octet-stream' })
    assert.deepEqual(new Uint8Array(await (await value('binary')).arrayBuffer()), bytes)

    await put('empty', '')
    assert.equal(await valueText('empty'), '')
  })

  it('decodes URL-encoded keys exactly once', async () => {
    for (const key of ['a/b', '100%', 'x%2Fy', 'sp ace+plus', 'ünïcødé ✓', '?&#=']) {
      await put(key, `v:${key}`)
      assert.equal(await valueText(key), `v:${key}`, key)
    }
    const names = await listNames()
    for (const key of ['a/b', '100%', 'x%2Fy', 'sp ace+plus', 'ünïcødé ✓', '?&#=']) assert.ok(names.includes(key), key)
  })

  it('writes multipart value and metadata, and serves the metadata', async () => {
    const form = new FormData()
    form.append('value', 'with-meta')
    form.append('metadata', JSON.stringify({ owner: 'alice', n: [1, 2] }))
    const res = await t.json(`${ns}/values/meta-key?expiration_ttl=300`, { method: 'PUT', body: form })
    assert.equal(res.status, 200)
    const got = await value('meta-key')
    assert.equal(await got.text(), 'with-meta')
    assert.equal(got.headers.get('expiration'), String(now() + 300))
    const meta = await t.json(`${ns}/metadata/meta-key`)
    assert.equal(meta.status, 200)
    assert.deepEqual(meta.body.result, { owner: 'alice', n: [1, 2] })
    const listed = await t.json(`${ns}/keys?prefix=meta-`)
    assert.deepEqual(listed.body.result, [{ name: 'meta-key', expiration: now() + 300, metadata: { owner: 'alice', n: [1, 2] } }])

    const file = new FormData()
    file.append('value', new Blob([new Uint8Array([0, 255, 1])]), 'blob.bin')
    await t.json(`${ns}/values/file-part`, { method: 'PUT', body: file })
    assert.deepEqual(new Uint8Array(await (await value('file-part')).arrayBuffer()), new Uint8Array([0, 255, 1]))
    assert.equal((await t.json(`${ns}/metadata/file-part`)).body.result, null)
  })

  it('answers 404 with 10009 for absent keys, and deletes idempotently', async () => {
    const missing = await t.json(`${ns}/values/nothing-here`)
    assert.equal(missing.status, 404)
    assert.deepEqual(missing.body, { success: false, errors: [{ code: 10009, message: "get: 'key not found'" }], messages: [], result: null })
    const noMeta = await t.json(`${ns}/metadata/nothing-here`)
    assert.equal(noMeta.status, 404)
    assert.equal(noMeta.body.errors[0].code, 10009)

    await put('doomed', 'x')
    for (let i = 0; i < 2; i++) {
      const res = await t.json(`${ns}/values/doomed`, { method: 'DELETE' })
      assert.equal(res.status, 200)
      assert.equal(res.body.success, true)
    }
    assert.equal((await value('doomed')).status, 404)
  })

  it('lists keys by prefix with cursor pages that end with an empty cursor', async () => {
    const keys = Array.from({ length: 25 }, (_, i) => `page/${String(i).padStart(2, '0')}`)
    const bulk = await t.json(`${ns}/bulk`, { method: 'PUT', ...jsonBody(keys.map((key) => ({ key, value: key }))) })
    assert.equal(bulk.status, 200)
    const seen: string[] = []
    let cursor = ''
    for (let pages = 1; ; pages++) {
      const res = await t.json(`${ns}/keys?prefix=page/&limit=10${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)
      assert.equal(res.status, 200)
      seen.push(...res.body.result.map((k: { name: string }) => k.name))
      assert.equal(res.body.result_info.count, res.body.result.length)
      cursor = res.body.result_info.cursor
      if (cursor === '') {
        assert.equal(pages, 3)
        break
      }
    }
    assert.deepEqual(seen, keys)
    const all = await t.json(`${ns}/keys?prefix=page/`)
    assert.equal(all.body.result.length, 25)
    assert.deepEqual(all.body.result_info, { count: 25, cursor: '' })
  })

  it('refuses list limits outside 10..1000 and cursors it did not make', async () => {
    for (const limit of ['5', '1001', 'ten', '-10']) {
      const res = await t.json(`${ns}/keys?limit=${limit}`)
      assert.equal(res.status, 400, limit)
      assert.equal(res.body.errors[0].code, 10028, limit)
    }
    const cursor = await t.json(`${ns}/keys?cursor=bogus!`)
    assert.equal(cursor.status, 400)
    assert.deepEqual(cursor.body.errors, [{ code: 10041, message: 'invalid "list keys" cursor' }])
  })

  it('bulk-writes with base64, metadata and expiration, bulk-reads and bulk-deletes both ways', async () => {
    const res = await t.json(`${ns}/bulk`, {
      method: 'PUT',
      ...jsonBody([
        { key: 'b/text', value: 'plain' },
        { key: 'b/bin', value: Buffer.from([1, 2, 3]).toString('base64'), base64: true },
        { key: 'b/json', value: '{"a":1}', metadata: { kind: 'json' }, expiration_ttl: 600 },
        { key: 'b/abs', value: 'abs', expiration: now() + 120 },
      ]),
    })
    assert.equal(res.status, 200)
    assert.deepEqual(res.body.result, { successful_key_count: 4, unsuccessful_keys: [] })
    assert.deepEqual(new Uint8Array(await (await value('b/bin')).arrayBuffer()), new Uint8Array([1, 2, 3]))
    assert.equal((await value('b/abs')).headers.get('expiration'), String(now() + 120))

    const text = await t.json(`${ns}/bulk/get`, { method: 'POST', ...jsonBody({ keys: ['b/text', 'b/json', 'b/none'] }) })
    assert.equal(text.status, 200)
    assert.deepEqual(text.body.result, { values: { 'b/text': 'plain', 'b/json': '{"a":1}', 'b/none': null } })
    const json = await t.json(`${ns}/bulk/get`, { method: 'POST', ...jsonBody({ keys: ['b/json'], type: 'json', withMetadata: true }) })
    assert.deepEqual(json.body.result, { values: { 'b/json': { value: { a: 1 }, metadata: { kind: 'json' }, expiration: now() + 600 } } })
    const notJson = await t.json(`${ns}/bulk/get`, { method: 'POST', ...jsonBody({ keys: ['b/text'], type: 'json' }) })
    assert.equal(notJson.status, 400)
    assert.equal(notJson.body.errors[0].message, 'At least one of the requested keys corresponds to a non-json value')

    const wrangler = await t.json(`${ns}/bulk`, { method: 'DELETE', ...jsonBody(['b/text', 'b/bin']) })
    assert.deepEqual(wrangler.body.result, { successful_key_count: 2, unsuccessful_keys: [] })
    const sdk = await t.json(`${ns}/bulk/delete`, { method: 'POST', ...jsonBody(['b/json', 'b/abs', 'b/never-existed']) })
    assert.deepEqual(sdk.body.result, { successful_key_count: 3, unsuccessful_keys: [] })
    assert.deepEqual(await listNames('?prefix=b/'), [])
  })

  it('refuses every limit and bad input with Cloudflare\'s status, code and message, changing nothing', async () => {
    await put('guarded', 'original')
    const unchanged = async () => {
      assert.equal(await valueText('guarded'), 'original')
      assert.equal((await t.json(`${ns}/metadata/guarded`)).body.result, null)
    }
    const refused = async (res: { status: number; body: { success: boolean; errors: Array<{ code: number; message: string }> } }, status: number, code: number, message?: string | RegExp) => {
      assert.equal(res.status, status)
      assert.equal(res.body.success, false)
      assert.equal(res.body.errors[0]!.code, code)
      if (typeof message === 'string') assert.equal(res.body.errors[0]!.message, message)
      else if (message) assert.match(res.body.errors[0]!.message, message)
      await unchanged()
    }

    await refused(await put('guarded', 'new', '?expiration_ttl=10'), 400, 10034, 'Invalid expiration_ttl of 10. Expiration TTL must be at least 60.')
    await refused(await put('guarded', 'new', `?expiration=${now() + 30}`), 400, 10033,
      `Invalid expiration of ${now() + 30}. Expiration times must be at least 60 seconds in the future.`)
    await refused(await put('guarded', 'new', `?expiration=${now() - 1}`), 400, 10033, /greater than the current number of seconds/)

    const bigMeta = new FormData()
    bigMeta.append('value', 'new')
    bigMeta.append('metadata', JSON.stringify({ v: 'x'.repeat(1100) }))
    await refused(await t.json(`${ns}/values/guarded`, { method: 'PUT', body: bigMeta }), 413, 10047, 'Metadata length of 1108 exceeds limit of 1024.')
    const badMeta = new FormData()
    badMeta.append('value', 'new')
    badMeta.append('metadata', '{not json')
    await refused(await t.json(`${ns}/values/guarded`, { method: 'PUT', body: badMeta }), 400, 10047, 'metadata must be valid JSON')
    const noValue = new FormData()
    noValue.append('metadata', '{}')
    await refused(await t.json(`${ns}/values/guarded`, { method: 'PUT', body: noValue }), 400, 10012)

    const longKey = 'k'.repeat(513)
    await refused(await put(longKey, 'x'), 414, 10030, 'UTF-8 encoded length of 513 exceeds key length limit of 512.')
    assert.equal((await value(longKey)).status, 414)
    assert.equal((await put('k'.repeat(512), 'ok')).status, 200, 'exactly 512 bytes is fine')

    const tooBig = new Uint8Array(25 * MiB + 1)
    await refused(await put('guarded', tooBig), 413, 10024, `Value length of ${25 * MiB + 1} exceeds limit of ${25 * MiB}.`)
    const bigForm = new FormData()
    bigForm.append('value', new Blob([tooBig]))
    await refused(await t.json(`${ns}/values/guarded`, { method: 'PUT', body: bigForm }), 413, 10024)

    // A bulk write with one bad entry writes none of them.
    for (const [bad, status, code] of [
      [{ key: '.', value: 'x' }, 400, 10042],
      [{ key: '..', value: 'x' }, 400, 10042],
      [{ key: '', value: 'x' }, 400, 10042],
      [{ key: 'guarded', value: 'x', expiration_ttl: 30 }, 400, 10034],
      [{ key: 'guarded', value: 'x', metadata: { v: 'y'.repeat(2000) } }, 413, 10047],
      [{ key: 'guarded', value: '!!!not base64', base64: true }, 400, 10012],
      [{ key: 'guarded', value: 42 }, 400, 10029],
    ] as const) {
      const entries = [{ key: 'bulk-victim', value: 'x' }, { key: 'guarded', value: 'changed' }, bad]
      await refused(await t.json(`${ns}/bulk`, { method: 'PUT', ...jsonBody(entries) }), status, code)
      assert.equal((await value('bulk-victim')).status, 404, JSON.stringify(bad))
    }
    const tooMany = Array.from({ length: 10_001 }, (_, i) => ({ key: `many-${i}`, value: '' }))
    await refused(await t.json(`${ns}/bulk`, { method: 'PUT', ...jsonBody(tooMany) }), 400, 10029)
    assert.equal((await value('many-0')).status, 404)
    await refused(await t.json(`${ns}/bulk/delete`, { method: 'POST', ...jsonBody(['guarded', '..']) }), 400, 10042)
    await refused(await t.json(`${ns}/bulk`, { method: 'DELETE', ...jsonBody({ keys: ['guarded'] }) }), 400, 10029)
    await refused(await t.json(`${ns}/bulk/get`, { method: 'POST', ...jsonBody({ keys: Array.from({ length: 101 }, (_, i) => `k${i}`) }) }), 400, 10029,
      'You can request a maximum of 100 keys')
    await refused(await t.json(`${ns}/bulk/get`, { method: 'POST', ...jsonBody({ keys: ['guarded'], type: 'stream' }) }), 400, 10029,
      '"stream" is not a valid type. Use "json" or "text"')
  })

  it('accepts a value of exactly 25 MiB', async () => {
    const big = new Uint8Array(25 * MiB).fill(7)
    assert.equal((await put('largest', big)).status, 200)
    const back = new Uint8Array(await (await value('largest')).arrayBuffer())
    assert.equal(back.byteLength, 25 * MiB)
    assert.equal(back[25 * MiB - 1], 7)
    assert.deepEqual(await listNames('?prefix=largest'), ['largest'])
    await t.json(`${ns}/values/largest`, { method: 'DELETE' })
  })

  it('hides expired keys from every read path, then purges them', async () => {
    await put('ephemeral', 'soon gone', '?expiration_ttl=60')
    const meta = new FormData()
    meta.append('value', 'also gone')
    meta.append('metadata', '{"m":1}')
    await t.json(`${ns}/values/ephemeral-2?expiration=${now() + 90}`, { method: 'PUT', body: meta })
    assert.equal(await valueText('ephemeral'), 'soon gone')

    clock.advance(59_000)
    assert.equal((await value('ephemeral')).headers.get('expiration'), String(now() + 1))
    clock.advance(1_000)
    assert.equal((await value('ephemeral')).status, 404)
    assert.equal((await t.json(`${ns}/metadata/ephemeral`)).status, 404)
    assert.deepEqual(await listNames('?prefix=ephemeral'), ['ephemeral-2'])

    clock.advance(30_000)
    assert.deepEqual(await listNames('?prefix=ephemeral'), [])
    const bulk = await t.json(`${ns}/bulk/get`, { method: 'POST', ...jsonBody({ keys: ['ephemeral', 'ephemeral-2'], withMetadata: true }) })
    assert.deepEqual(bulk.body.result.values, { ephemeral: null, 'ephemeral-2': null })
    assert.equal((await t.json(`${ns}/metadata/ephemeral-2`)).status, 404)

    // Rewriting an expired key starts it afresh.
    await put('ephemeral', 'back')
    assert.equal(await valueText('ephemeral'), 'back')
  })

  it('keeps other accounts out and deletes values with their namespace', async () => {
    await put('secret', 'mine')
    const other = await t.otherAccount()
    const foreignNs = ns.replace(t.accountId, other.accountId)
    const foreignGet = await t.json(`${foreignNs}/values/secret`, { token: other.token })
    assert.equal(foreignGet.status, 404)
    assert.equal(foreignGet.body.errors[0].code, 10013)
    const missingNs = foreignNs.replace(/namespaces\/[0-9a-f]{32}/, `namespaces/${'f'.repeat(32)}`)
    assert.deepEqual((await t.json(`${missingNs}/values/secret`, { token: other.token })).body, foreignGet.body)
    const foreignPut = await t.json(`${foreignNs}/values/secret`, { method: 'PUT', body: 'stolen', token: other.token })
    assert.equal(foreignPut.status, 404)
    for (const path of ['/keys', '/metadata/secret']) assert.equal((await t.json(`${foreignNs}${path}`, { token: other.token })).status, 404)
    assert.equal((await t.json(`${foreignNs}/bulk/delete`, { method: 'POST', token: other.token, ...jsonBody(['secret']) })).status, 404)
    assert.equal(await valueText('secret'), 'mine')

    const doomed = await t.json(`/accounts/${t.accountId}/storage/kv/namespaces`, { method: 'POST', ...jsonBody({ title: 'doomed' }) })
    const doomedNs = `/accounts/${t.accountId}/storage/kv/namespaces/${doomed.body.result.id}`
    await t.json(`${doomedNs}/values/k`, { method: 'PUT', body: 'v' })
    await t.json(doomedNs, { method: 'DELETE' })
    const after = await t.json(`${doomedNs}/values/k`)
    assert.equal(after.status, 404)
    assert.equal(after.body.errors[0].code, 10013)
  })
})
