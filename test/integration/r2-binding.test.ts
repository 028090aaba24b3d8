import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import { request } from 'undici'
import { defaultHost, edge, putScript } from '../helpers/edge.js'
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js'

// The R2 binding inside real workerd, sharing storage with the REST API both ways.
const WORKER = `
const BIG_CHUNK = 64 * 1024
const bigStream = (mib) => {
  let sent = 0
  const total = mib * 1024 * 1024
  return new ReadableStream({
    pull(controller) {
      if (sent >= total) return controller.close()
      const chunk = new Uint8Array(BIG_CHUNK).fill((sent / BIG_CHUNK) % 251)
      sent += BIG_CHUNK
      controller.enqueue(chunk)
    },
  })
}
const view = (o) => o && ({
  key: o.key, size: o.size, etag: o.etag, httpEtag: o.httpEtag, version: o.version,
  uploaded: o.uploaded instanceof Date, httpMetadata: o.httpMetadata, customMetadata: o.customMetadata,
  checksums: o.checksums.toJSON(), storageClass: o.storageClass, range: o.range, hasBody: 'body' in o,
})
export default {
  async fetch(request, env) {
    const url = new URL(request.url)
    const op = url.pathname.slice(1)
    const q = (name) => url.searchParams.get(name) ?? undefined
    const key = q('key') ?? 'k'
    const run = async () => {
      switch (op) {
        case 'put': return view(await env.B.put(key, await request.text(), {
          httpMetadata: { contentType: 'text/plain', cacheControl: 'max-age=60' },
          customMetadata: { owner: 'worker' },
          ...(q('md5') ? { md5: q('md5') } : {}),
          ...(q('sha256') ? { sha256: q('sha256') } : {}),
          ...(q('ifMatch') ? { onlyIf: { etagMatches: q('ifMatch') } } : {}),
        }))
        case 'put-bytes': return view(await env.B.put(key, new Uint8Array([0, 1, 2, 255])))
        case 'put-blob': return view(await env.B.put(key, new Blob(['blob body'])))
        case 'get': {
          const o = await env.B.get(key, {
            ...(q('offset') || q('length') ? { range: { offset: q('offset') && Number(q('offset')), length: q('length') && Number(q('length')) } } : {}),
            ...(q('suffix') ? { range: { suffix: Number(q('suffix')) } } : {}),
            ...(q('ifNoneMatch') ? { onlyIf: { etagDoesNotMatch: q('ifNoneMatch') } } : {}),
          })
          if (!o) return null
          const headers = new Headers()
          o.writeHttpMetadata(headers)
          return { ...view(o), text: 'body' in o ? await o.text() : null, headers: Object.fromEntries(headers) }
        }
        case 'head': return view(await env.B.head(key))
        case 'delete': return env.B.delete(key.split(','))
        case 'list': {
          const page = await env.B.list({
            prefix: q('prefix'), delimiter: q('delimiter'), cursor: q('cursor'), startAfter: q('startAfter'),
            limit: q('limit') ? Number(q('limit')) : undefined,
            include: q('include') ? q('include').split(',') : undefined,
          })
          return { keys: page.objects.map((o) => o.key), custom: page.objects.map((o) => o.customMetadata), prefixes: page.delimitedPrefixes, truncated: page.truncated, cursor: page.cursor ?? null }
        }
        case 'multipart': {
          const upload = await env.B.createMultipartUpload(key, { customMetadata: { parts: '3' } })
          const part = (n, size) => new Uint8Array(size).fill(n)
          const again = env.B.resumeMultipartUpload(key, upload.uploadId)
          const parts = [
            await upload.uploadPart(1, part(1, 5 * 1024 * 1024)),
            await again.uploadPart(2, part(2, 5 * 1024 * 1024)),
            await upload.uploadPart(3, part(3, 1000)),
          ]
          return view(await upload.complete(parts))
        }
        case 'multipart-small': {
          const upload = await env.B.createMultipartUpload(key)
          const parts = [await upload.uploadPart(1, 'tiny'), await upload.uploadPart(2, 'tail')]
          try { return await upload.complete(parts) } finally { await upload.abort() }
        }
        case 'put-big': return view(await env.B.put(key, bigStream(Number(q('mib')))))
      }
    }
    if (op === 'stream-out') {
      const o = await env.B.get(key)
      return new Response(o.body, { headers: { 'x-size': String(o.size) } })
    }
    try { return Response.json({ ok: true, value: (await run()) ?? null }) }
    catch (e) { return Response.json({ ok: false, error: e.message, name: e.name, code: e.code }) }
  },
}`

describe('R2 binding in real Workers', () => {
  let t: TestPlatform
  let host: string
  const bucketPath = () => `/accounts/${t.accountId}/r2/buckets/media`

  before(async () => {
    t = await startTestPlatform()
    const created = await t.json(`/accounts/${t.accountId}/r2/buckets`, {
      method: 'POST',
      body: JSON.stringify({ name: 'media' }),
      headers: { 'content-type': 'application/json' },
    })
    assert.equal(created.status, 200, JSON.stringify(created.body))
    const up = await putScript(t, `/accounts/${t.accountId}/workers/scripts/r2`, WORKER, {
      bindings: [{ type: 'r2_bucket', name: 'B', bucket_name: 'media' }],
    })
    assert.equal(up.status, 200, JSON.stringify(up.body))
    host = await defaultHost(t, 'r2')
  })
  after(() => t.close())

  const call = async (op: string, query: Record<string, string> = {}, body?: string) => {
    const res = await edge(t, host, `/${op}?${new URLSearchParams(query)}`, body === undefined ? {} : { method: 'POST', body })
    return JSON.parse(res.text) as { ok: boolean; value?: any; error?: string; name?: string; code?: number }
  }

  it('a binding to a bucket the account does not have is refused at upload', async () => {
    const up = await putScript(t, `/accounts/${t.accountId}/workers/scripts/nobucket`, WORKER, {
      bindings: [{ type: 'r2_bucket', name: 'B', bucket_name: 'absent' }],
    })
    assert.equal(up.status, 400)
    assert.match(JSON.stringify(up.body), /R2 bucket 'absent' of binding 'B' does not exist/)
  })

  it('put with metadata, then get, head and the REST API see the same object', async () => {
    const md5 = createHash('md5').update('hello r2').digest('hex')
    const put = await call('put', { key: 'notes/a.txt', md5 }, 'hello r2')
    assert.equal(put.ok, true, put.error)
    assert.equal(put.value.etag, md5)
    assert.equal(put.value.httpEtag, `"${md5}"`)
    assert.equal(put.value.size, 8)
    assert.equal(put.value.checksums.md5, md5)
    assert.equal(put.value.storageClass, 'Standard')
    const got = await call('get', { key: 'notes/a.txt' })
    assert.equal(got.value.text, 'hello r2')
    assert.deepEqual(got.value.customMetadata, { owner: 'worker' })
    assert.deepEqual(got.value.headers, { 'content-type': 'text/plain', 'cache-control': 'max-age=60' })
    assert.equal(got.value.uploaded, true)
    const head = await call('head', { key: 'notes/a.txt' })
    assert.equal(head.value.hasBody, false)
    assert.equal(head.value.version, put.value.version)
    const rest = await t.api(`${bucketPath()}/objects/notes/a.txt`)
    assert.equal(await rest.text(), 'hello r2')
    assert.equal(rest.headers.get('etag'), `"${md5}"`)
    assert.deepEqual(await call('get', { key: 'absent' }), { ok: true, value: null })
    assert.deepEqual(await call('head', { key: 'absent' }), { ok: true, value: null })
    assert.equal((await call('put-bytes', { key: 'bytes' })).value.size, 4)
    assert.equal((await call('put-blob', { key: 'blob' })).value.size, 9)
  })

  it('a wrong checksum is R2\'s BadDigest and leaves the object as it was', async () => {
    const wrong = createHash('sha256').update('something else').digest('hex')
    const r = await call('put', { key: 'notes/a.txt', sha256: wrong }, 'replacement')
    assert.equal(r.ok, false)
    assert.equal(r.code, 10037)
    assert.match(r.error!, /^put: The SHA-256 checksum you specified did not match what we received\./)
    assert.match(r.error!, /\(10037\)$/)
    assert.equal((await call('get', { key: 'notes/a.txt' })).value.text, 'hello r2')
  })

  it('ranges: offset and length, suffix; one outside the object is InvalidRange', async () => {
    const part = await call('get', { key: 'notes/a.txt', offset: '2', length: '3' })
    assert.equal(part.value.text, 'llo')
    assert.deepEqual(part.value.range, { offset: 2, length: 3 })
    assert.equal((await call('get', { key: 'notes/a.txt', suffix: '2' })).value.text, 'r2')
    assert.equal((await call('get', { key: 'notes/a.txt', offset: '6', length: '100' })).value.text, 'r2')
    const outside = await call('get', { key: 'notes/a.txt', offset: '9' })
    assert.equal(outside.ok, false)
    assert.equal(outside.error, 'get: The requested range is not satisfiable (10039)')
  })

  it('onlyIf: a failed get condition answers the object without a body; a failed put writes nothing', async () => {
    const etag = (await call('head', { key: 'notes/a.txt' })).value.etag
    const notModified = await call('get', { key: 'notes/a.txt', ifNoneMatch: etag })
    assert.equal(notModified.value.hasBody, false)
    assert.equal(notModified.value.etag, etag)
    assert.deepEqual(await call('put', { key: 'notes/a.txt', ifMatch: 'not-the-etag' }, 'nope'), { ok: true, value: null })
    assert.equal((await call('get', { key: 'notes/a.txt' })).value.text, 'hello r2')
    const ok = await call('put', { key: 'notes/a.txt', ifMatch: etag }, 'hello again')
    assert.equal(ok.ok, true)
    assert.equal((await call('get', { key: 'notes/a.txt' })).value.text, 'hello again')
  })

  it('list: prefix, delimiter, limit with cursor, startAfter and include', async () => {
    for (const k of ['dir/x/1', 'dir/x/2', 'dir/y', 'dir/z/3']) assert.equal((await call('put', { key: k }, k)).ok, true)
    const top = await call('list', { prefix: 'dir/', delimiter: '/' })
    assert.deepEqual(top.value, { keys: ['dir/y'], custom: [{}], prefixes: ['dir/x/', 'dir/z/'], truncated: false, cursor: null })
    const first = await call('list', { prefix: 'dir/', limit: '2', include: 'customMetadata' })
    assert.deepEqual([first.value.keys, first.value.truncated], [['dir/x/1', 'dir/x/2'], true])
    assert.deepEqual(first.value.custom, [{ owner: 'worker' }, { owner: 'worker' }])
    const second = await call('list', { prefix: 'dir/', limit: '2', cursor: first.value.cursor })
    assert.deepEqual([second.value.keys, second.value.truncated], [['dir/y', 'dir/z/3'], false])
    assert.deepEqual((await call('list', { prefix: 'dir/', startAfter: 'dir/x/2' })).value.keys, ['dir/y', 'dir/z/3'])
    const badLimit = await call('list', { limit: '5000' })
    assert.equal(badLimit.error, 'list: MaxKeys params must be positive integer <= 1000. (10022)')
    await call('delete', { key: 'dir/x/1,dir/x/2,dir/y' })
    assert.deepEqual((await call('list', { prefix: 'dir/' })).value.keys, ['dir/z/3'])
  })

  it('multipart: three parts complete into one object; parts under 5 MiB are refused', async () => {
    const done = await call('multipart', { key: 'big/parts.bin' })
    assert.equal(done.ok, true, done.error)
    assert.equal(done.value.size, 10 * 1024 * 1024 + 1000)
    assert.match(done.value.etag, /^[0-9a-f]{32}-3$/)
    const res = await t.api(`${bucketPath()}/objects/big/parts.bin`, { headers: { range: 'bytes=5242879-5242880' } })
    assert.equal(res.status, 206)
    assert.deepEqual([...new Uint8Array(await res.arrayBuffer())], [1, 2])
    const small = await call('multipart-small', { key: 'big/small.bin' })
    assert.equal(small.ok, false)
    assert.match(small.error!, /^completeMultipartUpload: .*\(10011\)$/)
    assert.deepEqual(await call('head', { key: 'big/small.bin' }), { ok: true, value: null })
  })

  it('streams a 100 MiB object in and out without holding it', async () => {
    const put = await call('put-big', { key: 'big/100m.bin', mib: '100' })
    assert.equal(put.ok, true, put.error)
    assert.equal(put.value.size, 100 * 1024 * 1024)
    const expected = createHash('md5')
    for (let i = 0; i < 1600; i++) expected.update(Buffer.alloc(64 * 1024, i % 251))
    const md5 = expected.digest('hex')
    assert.equal(put.value.etag, md5)
    const res = await request(`http://127.0.0.1:${t.platform.edgePort}/stream-out?key=big/100m.bin`, {
      headers: { host },
      headersTimeout: 60_000,
      bodyTimeout: 60_000,
    })
    assert.equal(res.statusCode, 200)
    const got = createHash('md5')
    let bytes = 0
    for await (const chunk of res.body) {
      got.update(chunk as Buffer)
      bytes += (chunk as Buffer).byteLength
    }
    assert.equal(bytes, 100 * 1024 * 1024)
    assert.equal(got.digest('hex'), md5)
  })
})
