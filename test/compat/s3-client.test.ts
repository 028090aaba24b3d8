import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  UploadPartCommand,
} from '@aws-sdk/client-s3'
import { getSignedUrl } from '@aws-sdk/s3-request-presigner'
import { jsonBody, startTestPlatform, type TestPlatform } from '../helpers/platform.js'

// @aws-sdk/client-s3, unchanged, against the S3-compatible endpoint with R2's derived credentials:
// access key id = an API token's id, secret = the SHA-256 hex of the token's value.
describe('R2 S3-compatible endpoint with @aws-sdk/client-s3', () => {
  let t: TestPlatform
  let s3: S3Client
  let keyId: string
  const clientFor = (accessKeyId: string, secretAccessKey: string) =>
    new S3Client({
      endpoint: `${t.platform.apiUrl.replace(/\/client\/v4$/, '')}/r2/s3/${t.accountId}`,
      region: 'auto',
      forcePathStyle: true,
      credentials: { accessKeyId, secretAccessKey },
      // Cloudflare's advice for R2: checksums only where S3 requires them.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    })
  const failure = async (p: Promise<unknown>): Promise<S3ServiceException> => {
    try {
      await p
    } catch (e) {
      if (e instanceof S3ServiceException) return e
      throw e
    }
    assert.fail('expected an S3 error')
  }

  before(async () => {
    t = await startTestPlatform()
    keyId = (await t.json('/user/tokens/verify')).body.result.id
    s3 = clientFor(keyId, createHash('sha256').update(t.token).digest('hex'))
    const created = await t.json(`/accounts/${t.accountId}/r2/buckets`, { method: 'POST', ...jsonBody({ name: 'from-api' }) })
    assert.equal(created.status, 200)
  })
  after(async () => {
    s3?.destroy()
    await t?.close()
  })

  it('lists buckets, creates and heads one', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'from-s3' }))
    const listed = await s3.send(new ListBucketsCommand({}))
    assert.deepEqual(listed.Buckets?.map((b) => b.Name), ['from-api', 'from-s3'])
    await s3.send(new HeadBucketCommand({ Bucket: 'from-s3' }))
    const missing = await failure(s3.send(new HeadBucketCommand({ Bucket: 'absent' })))
    assert.equal(missing.$metadata.httpStatusCode, 404)
    const rest = await t.json(`/accounts/${t.accountId}/r2/buckets/from-s3`)
    assert.equal(rest.body.result.name, 'from-s3')
  })

  it('puts, lists (prefix, delimiter, pages), gets ranges, copies and deletes objects', async () => {
    for (const k of ['logs/a.txt', 'logs/b.txt', 'logs/2026/c.txt', 'top.txt'])
      await s3.send(new PutObjectCommand({ Bucket: 'from-api', Key: k, Body: `body of ${k}`, ContentType: 'text/plain', Metadata: { who: 'sdk' } }))
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'from-api', Prefix: 'logs/', Delimiter: '/' }))
    assert.deepEqual(listed.Contents?.map((o) => o.Key), ['logs/a.txt', 'logs/b.txt'])
    assert.deepEqual(listed.CommonPrefixes?.map((p) => p.Prefix), ['logs/2026/'])
    const first = await s3.send(new ListObjectsV2Command({ Bucket: 'from-api', MaxKeys: 2 }))
    assert.equal(first.IsTruncated, true)
    const next = await s3.send(new ListObjectsV2Command({ Bucket: 'from-api', MaxKeys: 2, ContinuationToken: first.NextContinuationToken! }))
    assert.deepEqual([...first.Contents!, ...next.Contents!].map((o) => o.Key), ['logs/2026/c.txt', 'logs/a.txt', 'logs/b.txt', 'top.txt'])

    const range = await s3.send(new GetObjectCommand({ Bucket: 'from-api', Key: 'top.txt', Range: 'bytes=8-10' }))
    assert.equal(await range.Body!.transformToString(), 'top')
    assert.equal(range.ContentRange, 'bytes 8-10/15')
    const outside = await failure(s3.send(new GetObjectCommand({ Bucket: 'from-api', Key: 'top.txt', Range: 'bytes=100-200' })))
    assert.equal(outside.name, 'InvalidRange')
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'from-api', Key: 'top.txt' }))
    assert.deepEqual([head.ContentType, head.ContentLength, head.Metadata], ['text/plain', 15, { who: 'sdk' }])

    await s3.send(new CopyObjectCommand({ Bucket: 'from-s3', Key: 'copied.txt', CopySource: 'from-api/top.txt' }))
    const copy = await s3.send(new GetObjectCommand({ Bucket: 'from-s3', Key: 'copied.txt' }))
    assert.equal(await copy.Body!.transformToString(), 'body of top.txt')
    assert.equal(copy.Metadata?.who, 'sdk')

    await s3.send(new DeleteObjectsCommand({ Bucket: 'from-api', Delete: { Objects: [{ Key: 'logs/a.txt' }, { Key: 'logs/b.txt' }] } }))
    const after = await s3.send(new ListObjectsV2Command({ Bucket: 'from-api', Prefix: 'logs/' }))
    assert.deepEqual(after.Contents?.map((o) => o.Key), ['logs/2026/c.txt'])
    const gone = await failure(s3.send(new GetObjectCommand({ Bucket: 'from-api', Key: 'logs/a.txt' })))
    assert.equal(gone.name, 'NoSuchKey')
  })

  it('completes a multipart upload of 3 parts; an aborted one leaves nothing', async () => {
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'from-api', Key: 'multi.bin', ContentType: 'application/x-test' }))
    const parts = [Buffer.alloc(5 * 1024 * 1024, 1), Buffer.alloc(5 * 1024 * 1024, 2), Buffer.alloc(4321, 3)]
    const etags: string[] = []
    for (const [i, body] of parts.entries()) {
      const r = await s3.send(new UploadPartCommand({ Bucket: 'from-api', Key: 'multi.bin', UploadId, PartNumber: i + 1, Body: body }))
      etags.push(r.ETag!)
    }
    const listedParts = await s3.send(new ListPartsCommand({ Bucket: 'from-api', Key: 'multi.bin', UploadId }))
    assert.deepEqual(listedParts.Parts?.map((p) => [p.PartNumber, p.Size]), [[1, 5 * 1024 * 1024], [2, 5 * 1024 * 1024], [3, 4321]])
    const done = await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: 'from-api',
        Key: 'multi.bin',
        UploadId,
        MultipartUpload: { Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) },
      }),
    )
    const md5s = Buffer.concat(parts.map((p) => createHash('md5').update(p).digest()))
    assert.equal(done.ETag, `"${createHash('md5').update(md5s).digest('hex')}-3"`)
    const got = await s3.send(new GetObjectCommand({ Bucket: 'from-api', Key: 'multi.bin' }))
    const bytes = Buffer.from(await got.Body!.transformToByteArray())
    assert.equal(got.ContentType, 'application/x-test')
    assert.ok(bytes.equals(Buffer.concat(parts)))

    const aborted = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'from-api', Key: 'aborted.bin' }))
    await s3.send(new UploadPartCommand({ Bucket: 'from-api', Key: 'aborted.bin', UploadId: aborted.UploadId, PartNumber: 1, Body: 'x' }))
    assert.equal((await s3.send(new ListMultipartUploadsCommand({ Bucket: 'from-api' }))).Uploads?.length, 1)
    await s3.send(new AbortMultipartUploadCommand({ Bucket: 'from-api', Key: 'aborted.bin', UploadId: aborted.UploadId }))
    assert.equal((await s3.send(new ListMultipartUploadsCommand({ Bucket: 'from-api' }))).Uploads, undefined)
    const noUpload = await failure(
      s3.send(new UploadPartCommand({ Bucket: 'from-api', Key: 'aborted.bin', UploadId: aborted.UploadId, PartNumber: 2, Body: 'y' })),
    )
    assert.equal(noUpload.name, 'NoSuchUpload')
  })

  it('a wrong secret is SignatureDoesNotMatch, an unknown key InvalidAccessKeyId; neither changes anything', async () => {
    const wrong = clientFor(keyId, createHash('sha256').update('not the token').digest('hex'))
    const bad = await failure(wrong.send(new PutObjectCommand({ Bucket: 'from-api', Key: 'top.txt', Body: 'overwritten' })))
    assert.equal(bad.name, 'SignatureDoesNotMatch')
    assert.equal(bad.$metadata.httpStatusCode, 403)
    const unknown = clientFor('0'.repeat(32), 'whatever')
    assert.equal((await failure(unknown.send(new ListBucketsCommand({})))).name, 'InvalidAccessKeyId')
    const still = await s3.send(new GetObjectCommand({ Bucket: 'from-api', Key: 'top.txt' }))
    assert.equal(await still.Body!.transformToString(), 'body of top.txt')
    wrong.destroy()
    unknown.destroy()
  })

  it('presigned URLs work for their object and time; a tampered one does not', async () => {
    const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket: 'from-api', Key: 'top.txt' }), { expiresIn: 300 })
    const res = await fetch(url)
    assert.equal(res.status, 200)
    assert.equal(await res.text(), 'body of top.txt')
    const tampered = await fetch(url.replace('top.txt', 'logs/2026/c.txt'))
    assert.equal(tampered.status, 403)
    assert.match(await tampered.text(), /<Code>SignatureDoesNotMatch<\/Code>/)
  })

  it('applies the bucket CORS rules to preflights and answers', async () => {
    const put = await t.json(`/accounts/${t.accountId}/r2/buckets/from-api/cors`, {
      method: 'PUT',
      ...jsonBody({ rules: [{ allowed: { origins: ['https://app.example'], methods: ['GET', 'PUT'], headers: ['content-type'] }, maxAgeSeconds: 600 }] }),
    })
    assert.equal(put.status, 200, JSON.stringify(put.body))
    const base = `${t.platform.apiUrl.replace(/\/client\/v4$/, '')}/r2/s3/${t.accountId}/from-api/top.txt`
    const pre = await fetch(base, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example', 'access-control-request-method': 'PUT', 'access-control-request-headers': 'content-type' },
    })
    assert.equal(pre.status, 200)
    assert.equal(pre.headers.get('access-control-allow-origin'), 'https://app.example')
    assert.equal(pre.headers.get('access-control-max-age'), '600')
    const refused = await fetch(base, { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' } })
    assert.equal(refused.status, 403)
    const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket: 'from-api', Key: 'top.txt' }), { expiresIn: 300 })
    const res = await fetch(url, { headers: { origin: 'https://app.example' } })
    assert.equal(res.headers.get('access-control-allow-origin'), 'https://app.example')
  })

  it('a scoped token needs an R2 permission group: read lists, only write puts', async () => {
    const scoped = async (group: string) => {
      const created = await t.json('/user/tokens', {
        method: 'POST',
        ...jsonBody({ name: `s3-${group}`, policies: [{ effect: 'allow', permission_groups: [{ id: group }], resources: { [`com.cloudflare.api.account.${t.accountId}`]: '*' } }] }),
      })
      assert.equal(created.status, 200, JSON.stringify(created.body))
      return clientFor(created.body.result.id, createHash('sha256').update(created.body.result.value).digest('hex'))
    }
    const scripts = await scoped('1a71c399035b4950a1bd1466bbe4f420') // Workers Scripts Read
    assert.equal((await failure(scripts.send(new ListBucketsCommand({})))).name, 'AccessDenied')
    const reader = await scoped('b4992e1108244f5d8bfbd5744320c2e1') // Workers R2 Storage Read
    assert.ok((await reader.send(new ListObjectsV2Command({ Bucket: 'from-api' }))).Contents!.length > 0)
    assert.equal((await failure(reader.send(new PutObjectCommand({ Bucket: 'from-api', Key: 'top.txt', Body: 'x' })))).name, 'AccessDenied')
    const writer = await scoped('bf7481a1826f439697cb59a20b22293e') // Workers R2 Storage Write
    await writer.send(new PutObjectCommand({ Bucket: 'from-api', Key: 'by-writer.txt', Body: 'w' }))
    for (const c of [scripts, reader, writer]) c.destroy()
  })

  it('deleting a bucket with objects is BucketNotEmpty', async () => {
    assert.equal((await failure(s3.send(new DeleteBucketCommand({ Bucket: 'from-s3' })))).name, 'BucketNotEmpty')
  })
})
