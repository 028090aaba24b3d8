import { Hono, type Context } from 'hono'
import { ApiError, r2InternalError, r2InvalidArgument, r2KeyNotFound, r2BucketNotFound, r2PreconditionFailed } from '../../domain/errors.js'
import type { AccountId } from '../../domain/ids.js'
import { conditionFromHeaders, conditionHolds } from '../../r2/conditions.js'
import { bodyOf, declaredLengthOf, objectHeaders, webStream } from '../../r2/http.js'
import { httpMetadataFromHeaders } from '../../r2/objects.js'
import { decodeAwsChunked, isAwsChunked, storedContentEncoding } from '../../r2/s3/aws-chunked.js'
import { corsHeaders, matchCors } from '../../r2/s3/cors.js'
import { s3ErrorResponse, S3Failure } from '../../r2/s3/errors.js'
import { elements, textOf, xml, type XmlNode } from '../../r2/s3/xml.js'
import { createR2Service, type R2Ref, type R2Service } from '../../r2/service.js'
import type { R2ObjectRow } from '../../storage/r2-store.js'
import { clientAddress } from '../auth.js'
import type { ApiDeps, ApiEnv } from '../context.js'
import { authenticateS3 } from './auth.js'

export const S3_PREFIX = '/r2/s3'

const XML_BODY_LIMIT = 1024 * 1024
const s3Class = (storageClass: string) => (storageClass === 'InfrequentAccess' ? 'STANDARD_IA' : 'STANDARD')
const r2Class = (s3: string | undefined) => (s3 === undefined ? undefined : s3 === 'STANDARD_IA' ? 'InfrequentAccess' : s3 === 'STANDARD' ? 'Standard' : s3)
const xmlResponse = (body: string, headers: Record<string, string> = {}) =>
  new Response(body, { headers: { 'content-type': 'application/xml', ...headers } })

function customMetadataFromHeaders(h: Headers): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, value] of h) if (name.startsWith('x-amz-meta-')) out[name.slice('x-amz-meta-'.length)] = value
  return out
}

function objectResponseHeaders(o: R2ObjectRow, length: number): Headers {
  const h = objectHeaders(o, length)
  for (const [k, v] of Object.entries(o.customMetadata)) h.set(`x-amz-meta-${k}`, v)
  h.set('accept-ranges', 'bytes')
  h.set('x-amz-storage-class', s3Class(o.storageClass))
  return h
}

async function readXml(request: Request): Promise<string> {
  const declared = declaredLengthOf(request)
  if (declared !== undefined && declared > XML_BODY_LIMIT) throw r2InvalidArgument('The XML body is too large.')
  const text = await request.text()
  if (text.length > XML_BODY_LIMIT) throw r2InvalidArgument('The XML body is too large.')
  return text
}

/** An upload's bytes and their length, unwrapped from aws-chunked framing when the SDK used it. */
function uploadBody(request: Request): { body: AsyncIterable<Uint8Array> | null; length: number | undefined } {
  const raw = bodyOf(request)
  if (!isAwsChunked(request.headers) || raw === null) return { body: raw, length: declaredLengthOf(request) }
  const decoded = request.headers.get('x-amz-decoded-content-length')
  return { body: decodeAwsChunked(raw), length: decoded !== null && /^\d+$/.test(decoded) ? Number(decoded) : undefined }
}

/** HTTP metadata from an upload's headers, without aws-chunked in its Content-Encoding. */
function uploadHttpMetadata(h: Headers): Record<string, string> {
  const meta = httpMetadataFromHeaders(h)
  const encoding = storedContentEncoding(h)
  if (encoding === null) delete meta.contentEncoding
  else meta.contentEncoding = encoding
  return meta
}

/** The checksum a PutObject/UploadPart states: the signed payload's SHA-256, else Content-MD5. */
function checksumOf(h: Headers): { name: 'sha256' | 'md5'; hex: string } | undefined {
  const payload = h.get('x-amz-content-sha256')
  if (payload && /^[0-9a-f]{64}$/i.test(payload)) return { name: 'sha256', hex: payload.toLowerCase() }
  const md5 = h.get('content-md5')
  if (md5) return { name: 'md5', hex: Buffer.from(md5, 'base64').toString('hex') }
  return undefined
}

/**
 * R2's S3-compatible API, path-style at `/r2/s3/<account id>/<bucket>/<key>`: the calls Cloudflare
 * lists for R2 (buckets, objects, copy, multipart), SigV4-authenticated with R2's derived
 * credentials (auth.ts), errors as S3's XML, CORS from the bucket's rules.
 */
export function s3Routes(deps: Pick<ApiDeps, 'store' | 'clock' | 'log'>): Hono<ApiEnv> {
  const r2 = createR2Service({ store: deps.store.r2, clock: deps.clock })
  const app = new Hono<ApiEnv>()

  const handle = async (c: Context<ApiEnv>): Promise<Response> => {
    const request = c.req.raw
    const url = new URL(request.url)
    const rest = url.pathname.slice(S3_PREFIX.length + 1)
    const [rawAccount = '', rawBucket = '', ...rawKey] = rest.split('/')
    const accountId = decodeURIComponent(rawAccount) as AccountId
    const bucket = decodeURIComponent(rawBucket)
    const key = rawKey.length > 0 ? decodeURIComponent(rawKey.join('/')) : ''
    const ref: R2Ref = { accountId, bucket }
    const origin = request.headers.get('origin')
    try {
      if (request.method === 'OPTIONS') return await preflight(r2, ref, request)
      await authenticateS3(deps, accountId, request, url, clientAddress(c))
      const res = await operate(r2, ref, key, request, url)
      if (origin && bucket) {
        const b = await deps.store.r2.getBucket(accountId, bucket)
        const rule = b && matchCors(b.cors, origin, request.method, [])
        if (rule) {
          const headers = new Headers(res.headers)
          for (const [k, v] of Object.entries(corsHeaders(rule, origin))) headers.set(k, v)
          return new Response(res.body, { status: res.status, headers })
        }
      }
      return res
    } catch (e) {
      if (e instanceof ApiError) {
        const res = s3ErrorResponse(e, url.pathname)
        return request.method === 'HEAD' ? new Response(null, { status: res.status, headers: res.headers }) : res
      }
      deps.log.error({ err: e, method: request.method, path: url.pathname }, 'S3 endpoint error')
      return s3ErrorResponse(r2InternalError())
    }
  }
  app.all(`${S3_PREFIX}/:accountId`, handle)
  app.all(`${S3_PREFIX}/:accountId/*`, handle)
  return app
}

/** A CORS preflight answered from the bucket's rules (no signature: browsers send none). */
async function preflight(r2: R2Service, ref: R2Ref, request: Request): Promise<Response> {
  const origin = request.headers.get('origin')
  const method = request.headers.get('access-control-request-method')
  const headers = (request.headers.get('access-control-request-headers') ?? '').split(',').map((h) => h.trim()).filter(Boolean)
  const b = await r2.getBucket(ref)
  const rule = origin && method ? matchCors(b.cors, origin, method, headers) : undefined
  if (!rule || !origin || !method) throw new S3Failure(403, 'AccessDenied', 'CORS request not allowed')
  return new Response(null, { status: 200, headers: corsHeaders(rule, origin, { method, headers }) })
}

async function operate(r2: R2Service, ref: R2Ref, key: string, request: Request, url: URL): Promise<Response> {
  const q = url.searchParams
  const m = request.method
  if (ref.bucket === '') {
    if (m !== 'GET') throw new S3Failure(405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.')
    const buckets = await r2.listBuckets(ref.accountId)
    return xmlResponse(
      xml('ListAllMyBucketsResult', [
        ['Buckets', buckets.map((b): XmlNode => ['Bucket', [['Name', b.name], ['CreationDate', b.createdAt]]])],
        ['Owner', [['ID', ref.accountId], ['DisplayName', ref.accountId]]],
      ]),
    )
  }
  if (key === '') return bucketOperation(r2, ref, request, q)
  return objectOperation(r2, ref, key, request, url)
}

async function bucketOperation(r2: R2Service, ref: R2Ref, request: Request, q: URLSearchParams): Promise<Response> {
  switch (request.method) {
    case 'PUT': {
      const body = await readXml(request)
      const location = textOf(body, 'LocationConstraint')
      await r2.createBucket(ref.accountId, { name: ref.bucket, ...(location && location !== 'auto' ? { locationHint: location } : {}) })
      return new Response(null, { headers: { location: `/${ref.bucket}` } })
    }
    case 'HEAD':
      await r2.getBucket(ref)
      return new Response(null)
    case 'DELETE':
      await r2.deleteBucket(ref)
      return new Response(null, { status: 204 })
    case 'POST': {
      if (!q.has('delete')) break
      const body = await readXml(request)
      const keys = elements(body, 'Object').map((o) => textOf(o, 'Key') ?? '')
      const quiet = textOf(body, 'Quiet') === 'true'
      await r2.delete(ref, keys)
      return xmlResponse(xml('DeleteResult', quiet ? [] : keys.map((k): XmlNode => ['Deleted', [['Key', k]]])))
    }
    case 'GET': {
      if (q.has('uploads')) {
        const uploads = await r2.listUploads(ref, { prefix: q.get('prefix') ?? '' })
        return xmlResponse(
          xml('ListMultipartUploadsResult', [
            ['Bucket', ref.bucket],
            ['Prefix', q.get('prefix') ?? ''],
            ['IsTruncated', false],
            ...uploads.map((u): XmlNode => ['Upload', [['Key', u.key], ['UploadId', u.id], ['Initiated', new Date(u.initiated).toISOString()], ['StorageClass', s3Class(u.storageClass)]]]),
          ]),
        )
      }
      if (q.has('location')) return xmlResponse(xml('LocationConstraint', []).replace('></LocationConstraint>', '>auto</LocationConstraint>'))
      return listObjects(r2, ref, q)
    }
  }
  throw new S3Failure(405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.')
}

async function listObjects(r2: R2Service, ref: R2Ref, q: URLSearchParams): Promise<Response> {
  const v2 = q.get('list-type') === '2'
  const rawMax = q.get('max-keys')
  const maxKeys = rawMax === null ? 1000 : Number(rawMax)
  if (!Number.isInteger(maxKeys) || maxKeys < 0) throw r2InvalidArgument('Invalid max-keys')
  const prefix = q.get('prefix') ?? ''
  const delimiter = q.get('delimiter') ?? ''
  const token = v2 ? q.get('continuation-token') : null
  const startAfter = v2 ? q.get('start-after') : q.get('marker')
  const page =
    maxKeys === 0
      ? { objects: [], delimitedPrefixes: [], truncated: false, cursor: undefined }
      : await r2.list(ref, {
          prefix,
          delimiter,
          limit: Math.min(maxKeys, 1000),
          ...(token ? { cursor: token } : {}),
          ...(startAfter ? { startAfter } : {}),
        })
  const contents = page.objects.map((o): XmlNode => [
    'Contents',
    [['Key', o.key], ['LastModified', new Date(o.uploaded).toISOString()], ['ETag', `"${o.etag}"`], ['Size', o.size], ['StorageClass', s3Class(o.storageClass)]],
  ])
  const prefixes = page.delimitedPrefixes.map((p): XmlNode => ['CommonPrefixes', [['Prefix', p]]])
  const common: XmlNode[] = [
    ['Name', ref.bucket],
    ['Prefix', prefix],
    ['MaxKeys', maxKeys],
    ['Delimiter', delimiter || undefined],
    ['IsTruncated', page.truncated],
  ]
  const body = v2
    ? xml('ListBucketResult', [
        ...common,
        ['KeyCount', page.objects.length + page.delimitedPrefixes.length],
        ['ContinuationToken', token ?? undefined],
        ['NextContinuationToken', page.truncated ? page.cursor : undefined],
        ['StartAfter', startAfter ?? undefined],
        ...contents,
        ...prefixes,
      ])
    : xml('ListBucketResult', [
        ...common,
        ['Marker', startAfter ?? ''],
        ['NextMarker', page.truncated ? (page.objects.at(-1)?.key ?? page.delimitedPrefixes.at(-1)) : undefined],
        ...contents,
        ...prefixes,
      ])
  return xmlResponse(body)
}

async function objectOperation(r2: R2Service, ref: R2Ref, key: string, request: Request, url: URL): Promise<Response> {
  const q = url.searchParams
  const h = request.headers
  const uploadId = q.get('uploadId')
  switch (request.method) {
    case 'GET':
    case 'HEAD': {
      if (uploadId !== null && request.method === 'GET') {
        const parts = await r2.listParts(ref, key, uploadId)
        return xmlResponse(
          xml('ListPartsResult', [
            ['Bucket', ref.bucket],
            ['Key', key],
            ['UploadId', uploadId],
            ['IsTruncated', false],
            ...parts.map((p): XmlNode => ['Part', [['PartNumber', p.partNumber], ['LastModified', new Date(p.uploaded).toISOString()], ['ETag', `"${p.etag}"`], ['Size', p.size]]]),
          ]),
        )
      }
      const onlyIf = conditionFromHeaders(h)
      const o = await r2.head(ref, key)
      if (!o) throw r2KeyNotFound()
      if (onlyIf && !conditionHolds(onlyIf, o)) {
        const ifMatchOnly = conditionFromHeaders(new Headers([...h].filter(([n]) => n === 'if-match' || n === 'if-unmodified-since')))
        if (ifMatchOnly && !conditionHolds(ifMatchOnly, o)) throw r2PreconditionFailed()
        return new Response(null, { status: 304, headers: { etag: `"${o.etag}"`, 'last-modified': new Date(o.uploaded).toUTCString() } })
      }
      if (request.method === 'HEAD') return new Response(null, { headers: objectResponseHeaders(o, o.size) })
      const found = await r2.get(ref, key, { rangeHeader: h.get('range') })
      if (!found?.body) throw r2KeyNotFound()
      const length = found.range?.length ?? found.object.size
      const headers = objectResponseHeaders(found.object, length)
      if (found.range) headers.set('content-range', `bytes ${found.range.offset}-${found.range.offset + length - 1}/${found.object.size}`)
      return new Response(webStream(found.body), { status: found.range ? 206 : 200, headers })
    }
    case 'PUT': {
      if (uploadId !== null) {
        const { body, length } = uploadBody(request)
        const part = await r2.uploadPart(ref, key, uploadId, Number(q.get('partNumber')), body, length)
        return new Response(null, { headers: { etag: `"${part.etag}"` } })
      }
      const source = h.get('x-amz-copy-source')
      if (source !== null) return copyObject(r2, ref, key, request, source)
      const { body, length: declared } = uploadBody(request)
      const checksum = checksumOf(h)
      const onlyIf = conditionFromHeaders(h)
      const storageClass = r2Class(h.get('x-amz-storage-class') ?? undefined)
      const o = await r2.put(ref, key, body, {
        httpMetadata: uploadHttpMetadata(h),
        customMetadata: customMetadataFromHeaders(h),
        ...(checksum ? { checksum } : {}),
        ...(onlyIf ? { onlyIf } : {}),
        ...(storageClass ? { storageClass } : {}),
        ...(declared !== undefined ? { declaredLength: declared } : {}),
      })
      if (!o) throw r2PreconditionFailed()
      return new Response(null, { headers: { etag: `"${o.etag}"` } })
    }
    case 'POST': {
      if (q.has('uploads')) {
        const storageClass = r2Class(h.get('x-amz-storage-class') ?? undefined)
        const upload = await r2.createUpload(ref, key, {
          httpMetadata: uploadHttpMetadata(h),
          customMetadata: customMetadataFromHeaders(h),
          ...(storageClass ? { storageClass } : {}),
        })
        return xmlResponse(xml('InitiateMultipartUploadResult', [['Bucket', ref.bucket], ['Key', key], ['UploadId', upload.id]]))
      }
      if (uploadId !== null) {
        const body = await readXml(request)
        const parts = elements(body, 'Part').map((p) => ({ partNumber: Number(textOf(p, 'PartNumber')), etag: textOf(p, 'ETag') ?? '' }))
        const o = await r2.completeUpload(ref, key, uploadId, parts)
        return xmlResponse(xml('CompleteMultipartUploadResult', [['Location', url.pathname], ['Bucket', ref.bucket], ['Key', key], ['ETag', `"${o.etag}"`]]))
      }
      break
    }
    case 'DELETE': {
      if (uploadId !== null) {
        await r2.uploadOf(ref, key, uploadId)
        await r2.abortUpload(ref, key, uploadId)
      } else await r2.delete(ref, [key])
      return new Response(null, { status: 204 })
    }
  }
  throw new S3Failure(405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.')
}

/** CopyObject: the source streams into the destination (same account; any of its buckets). */
async function copyObject(r2: R2Service, ref: R2Ref, key: string, request: Request, source: string): Promise<Response> {
  const path = decodeURIComponent(source.split('?')[0]!).replace(/^\//, '')
  const slash = path.indexOf('/')
  if (slash <= 0) throw r2InvalidArgument('Invalid copy source')
  const from: R2Ref = { accountId: ref.accountId, bucket: path.slice(0, slash) }
  const h = request.headers
  const found = await r2.get(from, path.slice(slash + 1))
  if (!found?.body) throw (await r2.getBucket(from).then(() => r2KeyNotFound(), () => r2BucketNotFound()))
  const replace = h.get('x-amz-metadata-directive') === 'REPLACE'
  const o = await r2.put(ref, key, found.body, {
    httpMetadata: replace ? httpMetadataFromHeaders(h) : found.object.httpMetadata,
    customMetadata: replace ? customMetadataFromHeaders(h) : found.object.customMetadata,
    storageClass: r2Class(h.get('x-amz-storage-class') ?? undefined) ?? found.object.storageClass,
  })
  return xmlResponse(xml('CopyObjectResult', [['LastModified', new Date(o!.uploaded).toISOString()], ['ETag', `"${o!.etag}"`]]))
}
