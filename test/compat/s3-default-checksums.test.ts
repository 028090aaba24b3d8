import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { Readable } from 'node:stream'
import { after, before, describe, it } from 'node:test'
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3'
import { jsonBody, startTestPlatform, type TestPlatform } from '../helpers/platform.js'

// The SDK with its default checksum behaviour (a CRC32 header on every upload, aws-chunked bodies
// with a trailing checksum for streams): what an application that never heard of R2's advice sends.
describe('@aws-sdk/client-s3 with default checksums', () => {
  let t: TestPlatform
  let s3: S3Client
  before(async () => {
    t = await startTestPlatform()
    const keyId = (await t.json('/user/tokens/verify')).body.result.id
    s3 = new S3Client({
      endpoint: `${t.platform.apiUrl.replace(/\/client\/v4$/, '')}/r2/s3/${t.accountId}`,
      region: 'auto',
      forcePathStyle: true,
      credentials: { accessKeyId: keyId, secretAccessKey: createHash('sha256').update(t.token).digest('hex') },
    })
    assert.equal((await t.json(`/accounts/${t.accountId}/r2/buckets`, { method: 'POST', ...jsonBody({ name: 'plain' }) })).status, 200)
  })
  after(async () => {
    s3?.destroy()
    await t?.close()
  })

  it('puts a buffer and reads it back unchanged', async () => {
    await s3.send(new PutObjectCommand({ Bucket: 'plain', Key: 'a.txt', Body: Buffer.from('default checksums') }))
    const got = await s3.send(new GetObjectCommand({ Bucket: 'plain', Key: 'a.txt' }))
    assert.equal(await got.Body!.transformToString(), 'default checksums')
  })

  it('puts a stream (sent aws-chunked with a trailing checksum) and stores only its bytes', async () => {
    const data = Buffer.alloc(200_000, 'z')
    await s3.send(new PutObjectCommand({ Bucket: 'plain', Key: 'stream.bin', Body: Readable.from([data.subarray(0, 70_000), data.subarray(70_000)]), ContentLength: data.length }))
    const got = await s3.send(new GetObjectCommand({ Bucket: 'plain', Key: 'stream.bin' }))
    assert.ok(Buffer.from(await got.Body!.transformToByteArray()).equals(data))
  })
})
