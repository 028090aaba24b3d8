import { ApiError, r2InvalidArgument } from '../../domain/errors.js'
import type { AccountId } from '../../domain/ids.js'
import { conditionFromHeaders, parseEtags, type R2Conditional } from '../../r2/conditions.js'
import { R2_HASH_ALGORITHMS, type R2HashName } from '../../r2/hashing.js'
import { bodyOf, declaredLengthOf, webStream } from '../../r2/http.js'
import { objectView, type R2ObjectView } from '../../r2/objects.js'
import type { R2Range } from '../../r2/range.js'
import { createR2Service, type R2Ref, type R2Service } from '../../r2/service.js'
import type { R2ObjectRow } from '../../storage/r2-store.js'
import type { InternalHandler, InternalHandlerDeps } from '../kind.js'
import { R2_HEADERS, R2_WIRE } from './wire.js'

type Handler = (request: Request, ref: R2Ref) => Promise<Response>

/**
 * Node's half of the R2 binding: its routes (wire.ts), mounted by the internal API. The account and
 * bucket come from the binding's props, which the host set from a descriptor whose buckets were
 * checked to belong to the script's account.
 *
 *   GET  …/head?key=K                      200 + x-r2-object, or 404
 *   POST …/get {key, onlyIf?, range?}       200/206 body + x-r2-object; 412 + x-r2-object (condition failed); 404
 *   PUT  …/object?key=K  x-r2-options, body 200 {object}; 412 (condition failed)
 *   POST …/delete {keys}                    200
 *   POST …/list {prefix, delimiter, cursor, startAfter, limit, include}
 *   POST …/multipart/create {key, httpMetadata, customMetadata, storageClass} → {uploadId}
 *   PUT  …/multipart/part?key&upload_id&part_number, body → {partNumber, etag}
 *   POST …/multipart/complete {key, uploadId, parts} → {object}
 *   POST …/multipart/abort {key, uploadId}
 *
 * Failures answer R2's status with the message as the body and the code in x-r2-error-code, so the
 * binding throws `put: <message> (<code>)` as Cloudflare's does.
 */
export function r2Internal(deps: InternalHandlerDeps): InternalHandler[] {
  const h = r2InternalHandlers(createR2Service({ store: deps.store.r2, clock: deps.clock }))
  // Counted per bucket under R2's operation names (r2OperationsAdaptiveGroups' actionType).
  const on = (route: InternalHandler['route'], handler: Handler, action: string): InternalHandler => ({
    route,
    handle: (request, params) => {
      const accountId = (params.account ?? '') as AccountId
      const bucket = params.bucket ?? ''
      deps.usage?.operation({ accountId, product: 'r2', resource: bucket, action, operations: 1 })
      return rendered(handler)(request, { accountId, bucket })
    },
  })
  return [
    on(R2_WIRE.head, h.head, 'HeadObject'),
    on(R2_WIRE.get, h.get, 'GetObject'),
    on(R2_WIRE.put, h.put, 'PutObject'),
    on(R2_WIRE.delete, h.delete, 'DeleteObject'),
    on(R2_WIRE.list, h.list, 'ListObjects'),
    on(R2_WIRE.createUpload, h.createUpload, 'CreateMultipartUpload'),
    on(R2_WIRE.uploadPart, h.uploadPart, 'UploadPart'),
    on(R2_WIRE.completeUpload, h.completeUpload, 'CompleteMultipartUpload'),
    on(R2_WIRE.abortUpload, h.abortUpload, 'AbortMultipartUpload'),
  ]
}

/** A condition as the shim sends it: R2Conditional fields (dates in ms) or an HTTP header set. */
interface WireConditional {
  etagMatches?: string | string[]
  etagDoesNotMatch?: string | string[]
  uploadedBefore?: number
  uploadedAfter?: number
  secondsGranularity?: boolean
  headers?: Record<string, string>
}

function conditionOf(raw: WireConditional | undefined): R2Conditional | undefined {
  if (!raw) return undefined
  if (raw.headers) return conditionFromHeaders(new Headers(raw.headers))
  const etagMatches = parseEtags(raw.etagMatches)
  const etagDoesNotMatch = parseEtags(raw.etagDoesNotMatch)
  return {
    ...(etagMatches ? { etagMatches } : {}),
    ...(etagDoesNotMatch ? { etagDoesNotMatch } : {}),
    ...(typeof raw.uploadedBefore === 'number' ? { uploadedBefore: raw.uploadedBefore } : {}),
    ...(typeof raw.uploadedAfter === 'number' ? { uploadedAfter: raw.uploadedAfter } : {}),
    ...(raw.secondsGranularity ? { secondsGranularity: true } : {}),
  }
}

const metadataOf = (raw: unknown): Record<string, string> | undefined => {
  if (raw === undefined || raw === null) return undefined
  if (typeof raw !== 'object' || Array.isArray(raw)) throw r2InvalidArgument('Metadata missing or invalid')
  return Object.fromEntries(Object.entries(raw as Record<string, unknown>).map(([k, v]) => [k, String(v)]))
}

const objectHeader = (o: R2ObjectRow, extra: Partial<R2ObjectView> = {}): Record<string, string> => ({
  [R2_HEADERS.object]: encodeURIComponent(JSON.stringify({ ...objectView(o), ...extra })),
})

export function r2InternalHandlers(r2: R2Service) {
  const key = (request: Request) => new URL(request.url).searchParams.get('key') ?? ''
  return {
    head: (async (request, ref) => {
      const o = await r2.head(ref, key(request))
      return o ? new Response(null, { headers: objectHeader(o) }) : new Response(null, { status: 404 })
    }) satisfies Handler,

    get: (async (request, ref) => {
      const body = (await readJson(request)) as { key?: unknown; onlyIf?: WireConditional; range?: R2Range; rangeHeader?: string }
      const found = await r2.get(ref, String(body.key ?? ''), {
        ...(body.onlyIf ? { onlyIf: conditionOf(body.onlyIf)! } : {}),
        ...(body.range ? { range: body.range } : {}),
        ...(body.rangeHeader ? { rangeHeader: body.rangeHeader } : {}),
      })
      if (!found) return new Response(null, { status: 404 })
      if (!found.body) return new Response(null, { status: 412, headers: objectHeader(found.object) })
      const headers = objectHeader(found.object, found.range ? { range: found.range } : {})
      return new Response(webStream(found.body), { headers })
    }) satisfies Handler,

    put: (async (request, ref) => {
      const raw = request.headers.get(R2_HEADERS.options)
      const opts = (raw ? JSON.parse(decodeURIComponent(raw)) : {}) as {
        httpMetadata?: unknown
        customMetadata?: unknown
        checksum?: { name: string; hex: string }
        onlyIf?: WireConditional
        storageClass?: string
      }
      if (opts.checksum && !(opts.checksum.name in R2_HASH_ALGORITHMS)) throw r2InvalidArgument('Unknown checksum algorithm')
      const declared = declaredLengthOf(request)
      const httpMetadata = metadataOf(opts.httpMetadata)
      const customMetadata = metadataOf(opts.customMetadata)
      const onlyIf = conditionOf(opts.onlyIf)
      const o = await r2.put(ref, key(request), bodyOf(request), {
        ...(httpMetadata ? { httpMetadata } : {}),
        ...(customMetadata ? { customMetadata } : {}),
        ...(opts.checksum ? { checksum: { name: opts.checksum.name as R2HashName, hex: opts.checksum.hex } } : {}),
        ...(onlyIf ? { onlyIf } : {}),
        ...(opts.storageClass ? { storageClass: opts.storageClass } : {}),
        ...(declared !== undefined ? { declaredLength: declared } : {}),
      })
      if (!o) {
        // The body was never read: drain it so the caller's stream completes.
        await request.body?.cancel()
        return new Response(null, { status: 412 })
      }
      return Response.json(objectView(o))
    }) satisfies Handler,

    delete: (async (request, ref) => {
      const body = (await readJson(request)) as { keys?: unknown }
      const keys = Array.isArray(body.keys) ? body.keys.map(String) : [String(body.keys ?? '')]
      await r2.delete(ref, keys)
      return new Response(null)
    }) satisfies Handler,

    list: (async (request, ref) => {
      const o = (await readJson(request)) as Record<string, unknown>
      const include = Array.isArray(o.include) ? o.include.map(String) : []
      const str = (v: unknown) => (typeof v === 'string' ? v : undefined)
      if (o.limit !== undefined && typeof o.limit !== 'number') throw r2InvalidArgument('limit must be a number')
      const page = await r2.list(ref, {
        ...(str(o.prefix) !== undefined ? { prefix: str(o.prefix)! } : {}),
        ...(str(o.delimiter) !== undefined ? { delimiter: str(o.delimiter)! } : {}),
        ...(str(o.cursor) ? { cursor: str(o.cursor)! } : {}),
        ...(str(o.startAfter) !== undefined ? { startAfter: str(o.startAfter)! } : {}),
        ...(typeof o.limit === 'number' ? { limit: o.limit } : {}),
      })
      const shown = { httpMetadata: include.includes('httpMetadata'), customMetadata: include.includes('customMetadata') }
      return Response.json({
        objects: page.objects.map((row) => objectView(row, shown)),
        delimitedPrefixes: page.delimitedPrefixes,
        truncated: page.truncated,
        ...(page.cursor ? { cursor: page.cursor } : {}),
      })
    }) satisfies Handler,

    createUpload: (async (request, ref) => {
      const o = (await readJson(request)) as { key?: unknown; httpMetadata?: unknown; customMetadata?: unknown; storageClass?: string }
      const httpMetadata = metadataOf(o.httpMetadata)
      const customMetadata = metadataOf(o.customMetadata)
      const upload = await r2.createUpload(ref, String(o.key ?? ''), {
        ...(httpMetadata ? { httpMetadata } : {}),
        ...(customMetadata ? { customMetadata } : {}),
        ...(o.storageClass ? { storageClass: o.storageClass } : {}),
      })
      return Response.json({ uploadId: upload.id })
    }) satisfies Handler,

    uploadPart: (async (request, ref) => {
      const q = new URL(request.url).searchParams
      const declared = declaredLengthOf(request)
      const part = await r2.uploadPart(ref, q.get('key') ?? '', q.get('upload_id') ?? '', Number(q.get('part_number')), bodyOf(request), declared)
      return Response.json(part)
    }) satisfies Handler,

    completeUpload: (async (request, ref) => {
      const o = (await readJson(request)) as { key?: unknown; uploadId?: unknown; parts?: unknown }
      const parts = Array.isArray(o.parts) ? (o.parts as Array<{ partNumber: number; etag: string }>) : []
      const row = await r2.completeUpload(ref, String(o.key ?? ''), String(o.uploadId ?? ''), parts)
      return Response.json(objectView(row))
    }) satisfies Handler,

    abortUpload: (async (request, ref) => {
      const o = (await readJson(request)) as { key?: unknown; uploadId?: unknown }
      await r2.abortUpload(ref, String(o.key ?? ''), String(o.uploadId ?? ''))
      return new Response(null)
    }) satisfies Handler,
  }
}

/** Renders R2's errors for the binding; anything else is the internal API's to log. */
function rendered(handler: Handler): Handler {
  return async (request, ref) => {
    try {
      return await handler(request, ref)
    } catch (e) {
      if (!(e instanceof ApiError)) throw e
      return new Response(e.message, {
        status: e.status,
        headers: { 'content-type': 'text/plain;charset=UTF-8', [R2_HEADERS.errorCode]: String(e.code) },
      })
    }
  }
}

async function readJson(request: Request): Promise<Record<string, unknown>> {
  try {
    const v = (await request.json()) as unknown
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Record<string, unknown>
  } catch {
    // fall through
  }
  throw r2InvalidArgument('the body is not a JSON object')
}
