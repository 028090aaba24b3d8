import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { describe, it } from 'node:test'
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  ListObjectsV2Command,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3'
import { createNamespace, deployDispatcher, edge, namespaceScriptPath, putScript } from '../helpers/edge.js'
import { jsonBody, type TestPlatform } from '../helpers/platform.js'
import { twoNodesOnPostgres } from '../helpers/two-nodes.js'

// A user Worker in a dispatch namespace, bound to an R2 bucket, on two nodes sharing PostgreSQL:
// bodies live in the shared database, so whatever one node stored the other serves.
const USER_WORKER = `
export default {
  async fetch(request, env) {
    const url = new URL(request.url)
    const key = url.searchParams.get('key')
    if (request.method === 'PUT') {
      const mib = Number(url.searchParams.get('mib'))
      let sent = 0
      const body = new ReadableStream({
        pull(c) {
          if (sent >= mib * 1024 * 1024) return c.close()
          c.enqueue(new Uint8Array(64 * 1024).fill((sent / 65536) % 251))
          sent += 64 * 1024
        },
      })
      const o = await env.B.put(key, body)
      return Response.json({ size: o.size, etag: o.etag })
    }
    const o = await env.B.get(key)
    if (!o) return new Response('missing', { status: 404 })
    return new Response(o.body, { headers: { etag: o.httpEtag } })
  },
}`

describe('R2 on two nodes sharing one PostgreSQL store', () => {
  const nodes = twoNodesOnPostgres()

  const s3For = async (n: TestPlatform) => {
    const keyId = (await n.json('/user/tokens/verify')).body.result.id as string
    return new S3Client({
      endpoint: `${n.platform.apiUrl.replace(/\/client\/v4$/, '')}/r2/s3/${n.accountId}`,
      region: 'auto',
      forcePathStyle: true,
      credentials: { accessKeyId: keyId, secretAccessKey: createHash('sha256').update(n.token).digest('hex') },
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    })
  }

  it('an object a Worker streams in through one node is served by the other, through the binding, REST and S3', async () => {
    const [n1, n2] = nodes()
    const created = await n1.json(`/accounts/${n1.accountId}/r2/buckets`, { method: 'POST', ...jsonBody({ name: 'shared' }) })
    assert.equal(created.status, 200, JSON.stringify(created.body))
    await createNamespace(n1, 'tenants')
    const host = await deployDispatcher(n1, 'tenants')
    const up = await putScript(n1, namespaceScriptPath(n1, 'tenants', 'files'), USER_WORKER, {
      bindings: [{ type: 'r2_bucket', name: 'B', bucket_name: 'shared' }],
    })
    assert.equal(up.status, 200, JSON.stringify(up.body))

    const put = await edge(n1, host, '/files?key=data/eight.bin&mib=8', { method: 'PUT' })
    assert.equal(put.status, 200, put.text)
    const expected = createHash('md5')
    for (let i = 0; i < 128; i++) expected.update(Buffer.alloc(64 * 1024, i % 251))
    const md5 = expected.digest('hex')
    assert.deepEqual(JSON.parse(put.text), { size: 8 * 1024 * 1024, etag: md5 })

    const viaB = await n2.api(`/accounts/${n2.accountId}/r2/buckets/shared/objects/data/eight.bin`)
    assert.equal(viaB.status, 200)
    assert.equal(createHash('md5').update(Buffer.from(await viaB.arrayBuffer())).digest('hex'), md5)
    const edgeB = await edge(n2, host, '/files?key=data/eight.bin')
    assert.equal(edgeB.headers.etag, `"${md5}"`)

    const s3b = await s3For(n2)
    const listed = await s3b.send(new ListObjectsV2Command({ Bucket: 'shared' }))
    assert.deepEqual(listed.Contents?.map((o) => [o.Key, o.Size]), [['data/eight.bin', 8 * 1024 * 1024]])
    s3b.destroy()
  })

  it('a multipart upload whose parts go to different nodes completes on either', async () => {
    const [s3a, s3b] = [await s3For(nodes()[0]), await s3For(nodes()[1])]
    const { UploadId } = await s3a.send(new CreateMultipartUploadCommand({ Bucket: 'shared', Key: 'multi.bin' }))
    const parts = [Buffer.alloc(5 * 1024 * 1024, 7), Buffer.alloc(5 * 1024 * 1024, 8), Buffer.alloc(10, 9)]
    const clients = [s3a, s3b, s3a]
    const etags: string[] = []
    for (const [i, body] of parts.entries())
      etags.push((await clients[i]!.send(new UploadPartCommand({ Bucket: 'shared', Key: 'multi.bin', UploadId, PartNumber: i + 1, Body: body }))).ETag!)
    await s3b.send(
      new CompleteMultipartUploadCommand({ Bucket: 'shared', Key: 'multi.bin', UploadId, MultipartUpload: { Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) } }),
    )
    const got = await nodes()[0].api(`/accounts/${nodes()[0].accountId}/r2/buckets/shared/objects/multi.bin`)
    assert.ok(Buffer.from(await got.arrayBuffer()).equals(Buffer.concat(parts)))
    s3a.destroy()
    s3b.destroy()
  })
})
