import { Hono } from 'hono'
import { r2KeyNotFound } from '../../domain/errors.js'
import type { AccountId } from '../../domain/ids.js'
import { bodyOf, declaredLengthOf, objectHeaders, webStream } from '../../r2/http.js'
import { httpMetadataFromHeaders, objectView } from '../../r2/objects.js'
import { createR2Service, type R2Ref } from '../../r2/service.js'
import type { ApiContext, ApiDeps, ApiEnv } from '../context.js'
import { ok } from '../envelope.js'

/**
 * `/accounts/:accountId/r2/buckets/:bucket/objects[/:key]`: what `wrangler r2 object get|put|delete
 * --remote` call. A GET answers the object's bytes (streamed), a PUT streams the request body into
 * the bucket and answers the object in the envelope; listing answers the envelope with a cursor.
 */
export function r2ObjectRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const r2 = createR2Service({ store: deps.store.r2, clock: deps.clock })
  const app = new Hono<ApiEnv>()
  const objects = '/accounts/:accountId/r2/buckets/:bucket/objects'
  const ref = (c: ApiContext): R2Ref => ({ accountId: c.get('account').id as AccountId, bucket: c.req.param('bucket') ?? '' })

  app.get(objects, async (c) => {
    const limit = c.req.query('per_page')
    const page = await r2.list(ref(c), {
      prefix: c.req.query('prefix') ?? '',
      delimiter: c.req.query('delimiter') ?? '',
      ...(c.req.query('cursor') ? { cursor: c.req.query('cursor')! } : {}),
      ...(c.req.query('start_after') ? { startAfter: c.req.query('start_after')! } : {}),
      ...(limit ? { limit: Number(limit) } : {}),
    })
    const result = page.objects.map((o) => ({
      key: o.key,
      etag: o.etag,
      last_modified: new Date(o.uploaded).toISOString(),
      size: o.size,
      http_metadata: o.httpMetadata,
      custom_metadata: o.customMetadata,
      storage_class: o.storageClass,
    }))
    return c.json({
      ...ok(result),
      result_info: {
        is_truncated: page.truncated,
        delimited: page.delimitedPrefixes,
        per_page: limit ? Number(limit) : 1000,
        ...(page.cursor ? { cursor: page.cursor } : {}),
      },
    })
  })

  app.get(`${objects}/:key{.+}`, async (c) => {
    const found = await r2.get(ref(c), c.req.param('key'), { rangeHeader: c.req.header('range') ?? null })
    if (!found?.body) throw r2KeyNotFound()
    const length = found.range?.length ?? found.object.size
    const headers = objectHeaders(found.object, length)
    if (found.range) headers.set('content-range', `bytes ${found.range.offset}-${found.range.offset + length - 1}/${found.object.size}`)
    return new Response(webStream(found.body), { status: found.range ? 206 : 200, headers })
  })

  app.put(`${objects}/:key{.+}`, async (c) => {
    const request = c.req.raw
    const declared = declaredLengthOf(request)
    const object = await r2.put(ref(c), c.req.param('key'), bodyOf(request), {
      httpMetadata: httpMetadataFromHeaders(request.headers),
      ...(c.req.header('cf-r2-storage-class') ? { storageClass: c.req.header('cf-r2-storage-class')! } : {}),
      ...(declared !== undefined ? { declaredLength: declared } : {}),
    })
    const view = objectView(object!)
    return c.json(ok({ key: view.key, version: view.version, size: view.size, etag: view.etag, uploaded: view.uploaded, storage_class: view.storageClass }))
  })

  app.delete(`${objects}/:key{.+}`, async (c) => {
    await r2.delete(ref(c), [c.req.param('key')])
    return c.json(ok({}))
  })

  return app
}
