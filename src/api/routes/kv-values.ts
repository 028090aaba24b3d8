import { Hono } from 'hono'
import { z } from 'zod'
import type { AccountId } from '../../domain/ids.js'
import { KV_LIMITS } from '../../kv/limits.js'
import { declaredLength, readValueBody } from '../../kv/read-body.js'
import { createKvService, validateListLimit, type KvBulkEntry, type KvRef } from '../../kv/service.js'
import { parseMetadataText, validateValueSize } from '../../kv/validate.js'
import { BULK_BODY_LIMIT, readJson } from '../body.js'
import { readMultipart } from '../upload/multipart.js'
import type { ApiContext, ApiDeps, ApiEnv } from '../context.js'
import { ok } from '../envelope.js'
import {
  kvInvalidLimit,
  kvInvalidRequest,
  kvKeyNotFound,
  kvMalformedValue,
  kvPayloadTooLarge,
} from '../../domain/errors.js'

const BulkWrite = z.array(
  z.object({
    key: z.string(),
    value: z.string(),
    base64: z.boolean().nullish(),
    expiration: z.union([z.number(), z.string()]).nullish(),
    expiration_ttl: z.union([z.number(), z.string()]).nullish(),
    metadata: z.unknown().optional(),
  }),
)
const KeyList = z.array(z.string())
const BulkGet = z.object({
  keys: z.array(z.string()),
  type: z.string().nullish(),
  withMetadata: z.boolean().nullish(),
  cacheTtl: z.union([z.number(), z.string()]).nullish(),
})

/** Room for the multipart framing and the metadata part around a value of the largest size. */
const MULTIPART_OVERHEAD = 64 * 1024
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/

/**
 * `/accounts/:accountId/storage/kv/namespaces/:namespaceId/{values,metadata,keys,bulk}`: the KV
 * REST API. Keys arrive URL-encoded in the path and are decoded once.
 */
export function kvValueRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const kv = createKvService({ store: deps.store.kv, clock: deps.clock })
  const app = new Hono<ApiEnv>()
  const ns = '/accounts/:accountId/storage/kv/namespaces/:namespaceId'
  const ref = (c: ApiContext): KvRef => ({
    accountId: c.get('account').id as AccountId,
    namespaceId: c.req.param('namespaceId') ?? '',
  })
  const keyOf = (c: ApiContext): string => c.req.param('key') ?? ''

  app.get(`${ns}/keys`, async (c) => {
    const page = await kv.list(ref(c), {
      prefix: c.req.query('prefix') ?? null,
      limit: restListLimit(c.req.query('limit')),
      cursor: c.req.query('cursor') ?? null,
    })
    return c.json(ok(page.keys, { count: page.keys.length, cursor: page.cursor }))
  })

  // Raw bytes, not an envelope: wrangler and the SDK print or return the body as it is.
  app.get(`${ns}/values/:key{.+}`, async (c) => {
    const found = await kv.get(ref(c), keyOf(c))
    if (!found) throw kvKeyNotFound('get')
    const headers: Record<string, string> = { 'content-type': 'application/octet-stream' }
    if (found.expiration !== undefined) headers.expiration = String(found.expiration)
    return c.body(found.value, 200, headers)
  })

  app.put(`${ns}/values/:key{.+}`, async (c) => {
    const { value, metadata } = await readValueUpload(c)
    await kv.put(ref(c), keyOf(c), value, {
      expiration: c.req.query('expiration'),
      expirationTtl: c.req.query('expiration_ttl'),
      metadata,
    })
    return c.json(ok({}))
  })

  app.delete(`${ns}/values/:key{.+}`, async (c) => {
    await kv.delete(ref(c), keyOf(c))
    return c.json(ok({}))
  })

  app.get(`${ns}/metadata/:key{.+}`, async (c) => {
    const found = await kv.getMetadata(ref(c), keyOf(c))
    if (!found) throw kvKeyNotFound('get')
    return c.json(ok(found.metadata))
  })

  app.put(`${ns}/bulk`, async (c) => {
    const length = declaredLength(c.req.header('content-length'))
    if (length !== undefined && length > KV_LIMITS.maxBulkRequestBytes)
      throw kvPayloadTooLarge(`Request body of ${length} bytes exceeds the limit of ${KV_LIMITS.maxBulkRequestBytes}.`)
    const entries = parseWith(BulkWrite, await readJson(c, BULK_BODY_LIMIT)).map(toBulkEntry)
    const written = await kv.putMany(ref(c), entries)
    return c.json(ok({ successful_key_count: written, unsuccessful_keys: [] }))
  })

  // wrangler sends DELETE …/bulk; the SDK sends POST …/bulk/delete. Same body, same answer.
  const bulkDelete = async (c: ApiContext) => {
    const deleted = await kv.deleteMany(ref(c), parseWith(KeyList, await readJson(c, BULK_BODY_LIMIT)))
    return c.json(ok({ successful_key_count: deleted, unsuccessful_keys: [] }))
  }
  app.delete(`${ns}/bulk`, bulkDelete)
  app.post(`${ns}/bulk/delete`, bulkDelete)

  app.post(`${ns}/bulk/get`, async (c) => {
    const body = parseWith(BulkGet, await readJson(c, BULK_BODY_LIMIT))
    const values = await kv.getMany(ref(c), body.keys, {
      type: body.type ?? undefined,
      withMetadata: body.withMetadata ?? false,
      cacheTtl: body.cacheTtl,
    })
    return c.json(ok({ values }))
  })

  return app
}

/** The value and metadata of a PUT: multipart parts `value` and `metadata`, or the raw body. */
async function readValueUpload(c: ApiContext): Promise<{ value: Uint8Array; metadata?: unknown }> {
  const length = declaredLength(c.req.header('content-length'))
  if (!(c.req.header('content-type') ?? '').toLowerCase().startsWith('multipart/form-data'))
    return { value: await readValueBody(c.req.raw.body, length) }

  if (length !== undefined && length > KV_LIMITS.maxValueBytes + MULTIPART_OVERHEAD) validateValueSize(length)
  // Read within the limit as it streams: a chunked body has no length to refuse up front.
  const max = KV_LIMITS.maxValueBytes + MULTIPART_OVERHEAD
  const form = await readMultipart(c.req.raw, max, max, (size) =>
    kvPayloadTooLarge(`Value length of at least ${size} exceeds limit of ${KV_LIMITS.maxValueBytes}.`),
  )
  const value = form.get('value')
  if (value === null) throw kvMalformedValue("the multipart body has no 'value' part")
  const bytes = typeof value === 'string' ? new TextEncoder().encode(value) : new Uint8Array(await value.arrayBuffer())
  const metadata = form.get('metadata')
  if (metadata === null) return { value: bytes }
  const text = typeof metadata === 'string' ? metadata : await metadata.text()
  return { value: bytes, metadata: parseMetadataText(text) }
}

function restListLimit(raw: string | undefined): number | undefined {
  if (raw === undefined || raw === '') return undefined
  const limit = Number(raw)
  if (!/^\d+$/.test(raw)) throw kvInvalidLimit(`Invalid limit of ${raw}. Please specify an integer.`)
  validateListLimit(limit, KV_LIMITS.minRestListLimit)
  return limit
}

function toBulkEntry(e: z.infer<typeof BulkWrite>[number]): KvBulkEntry {
  if (e.base64 && !BASE64.test(e.value)) throw kvMalformedValue(`The value of '${e.key}' is not valid base64`)
  return {
    key: e.key,
    value: e.base64 ? Buffer.from(e.value, 'base64') : Buffer.from(e.value, 'utf8'),
    expiration: e.expiration,
    expirationTtl: e.expiration_ttl,
    metadata: e.metadata,
  }
}

function parseWith<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body)
  if (parsed.success) return parsed.data
  const issue = parsed.error.issues[0]
  const where = issue && issue.path.length > 0 ? `at ${issue.path.join('.')}: ` : ''
  throw kvInvalidRequest(`Invalid request body ${where}${issue?.message ?? 'unexpected shape'}`)
}
