import { Hono } from 'hono'
import { z } from 'zod'
import { r2InvalidArgument, r2NoCorsConfiguration } from '../../domain/errors.js'
import type { AccountId } from '../../domain/ids.js'
import { CorsRules, LifecycleRules } from '../../r2/rules.js'
import { createR2Service, type R2Ref } from '../../r2/service.js'
import type { R2Bucket } from '../../storage/r2-store.js'
import { readJson, readJsonObject } from '../body.js'
import type { ApiContext, ApiDeps, ApiEnv } from '../context.js'
import { ok } from '../envelope.js'

/** A bucket as Cloudflare's API shows it (location upper case, as the dashboard and wrangler print it). */
export const r2BucketView = (b: R2Bucket) => ({
  name: b.name,
  creation_date: b.createdAt,
  location: b.location.toUpperCase(),
  storage_class: b.storageClass,
  jurisdiction: 'default',
})

const MAX_PER_PAGE = 1000

/**
 * `/accounts/:accountId/r2/buckets[/:bucket[/cors|/lifecycle]]`: R2 buckets as wrangler and the SDK
 * drive them. Lists page with an opaque cursor (`result_info.cursor`), as Cloudflare's do.
 */
export function r2BucketRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const r2 = createR2Service({ store: deps.store.r2, clock: deps.clock })
  const app = new Hono<ApiEnv>()
  const base = '/accounts/:accountId/r2/buckets'
  const ref = (c: ApiContext): R2Ref => ({ accountId: c.get('account').id as AccountId, bucket: c.req.param('bucket') ?? '' })

  app.get(base, async (c) => {
    const perPage = perPageOf(c.req.query('per_page'))
    const direction = c.req.query('direction') ?? 'asc'
    if (direction !== 'asc' && direction !== 'desc') throw r2InvalidArgument(`Invalid direction: ${direction}`)
    const contains = c.req.query('name_contains') ?? ''
    const startAfter = c.req.query('start_after')
    const cursor = c.req.query('cursor')
    let buckets = (await r2.listBuckets(c.get('account').id as AccountId)).filter((b) => b.name.includes(contains))
    if (direction === 'desc') buckets.reverse()
    const after = cursor ? Buffer.from(cursor, 'base64url').toString('utf8') : startAfter
    if (after) buckets = buckets.filter((b) => (direction === 'asc' ? b.name > after : b.name < after))
    const page = buckets.slice(0, perPage)
    const more = buckets.length > perPage
    const info = more ? { cursor: Buffer.from(page[page.length - 1]!.name).toString('base64url'), per_page: perPage } : { per_page: perPage }
    return c.json({ ...ok({ buckets: page.map(r2BucketView) }), result_info: info })
  })

  app.post(base, async (c) => {
    const body = await readJsonObject(c)
    const created = await r2.createBucket(c.get('account').id as AccountId, {
      name: body.name,
      locationHint: body.locationHint,
      storageClass: body.storageClass ?? c.req.header('cf-r2-storage-class'),
    })
    return c.json(ok(r2BucketView(created)))
  })

  app.get(`${base}/:bucket`, async (c) => c.json(ok(r2BucketView(await r2.getBucket(ref(c))))))

  // `wrangler r2 bucket update storage-class` sends the new class as a header, with no body.
  app.patch(`${base}/:bucket`, async (c) => {
    const storageClass = c.req.header('cf-r2-storage-class')
    if (!storageClass) throw r2InvalidArgument('The cf-r2-storage-class header is required')
    return c.json(ok(r2BucketView(await r2.updateBucket(ref(c), { storageClass }))))
  })

  app.delete(`${base}/:bucket`, async (c) => {
    await r2.deleteBucket(ref(c))
    return c.json(ok({}))
  })

  app.get(`${base}/:bucket/cors`, async (c) => {
    const b = await r2.getBucket(ref(c))
    if (b.cors === null) throw r2NoCorsConfiguration()
    return c.json(ok(b.cors))
  })
  app.put(`${base}/:bucket/cors`, async (c) => {
    const rules = parsed(CorsRules, await readJson(c))
    await r2.updateBucket(ref(c), { cors: rules.rules.length > 0 ? rules : null })
    return c.json(ok({}))
  })
  app.delete(`${base}/:bucket/cors`, async (c) => {
    await r2.updateBucket(ref(c), { cors: null })
    return c.json(ok({}))
  })

  app.get(`${base}/:bucket/lifecycle`, async (c) => {
    const b = await r2.getBucket(ref(c))
    return c.json(ok(b.lifecycle ?? { rules: [] }))
  })
  app.put(`${base}/:bucket/lifecycle`, async (c) => {
    const rules = parsed(LifecycleRules, await readJson(c))
    await r2.updateBucket(ref(c), { lifecycle: rules.rules.length > 0 ? rules : null })
    return c.json(ok({}))
  })

  return app
}

function perPageOf(raw: string | undefined): number {
  if (raw === undefined || raw === '') return 20
  const n = Number(raw)
  if (!Number.isInteger(n) || n < 1) throw r2InvalidArgument(`Invalid per_page: ${raw}`)
  return Math.min(MAX_PER_PAGE, n)
}

function parsed<T>(schema: z.ZodType<T>, value: unknown): T {
  const r = schema.safeParse(value)
  if (!r.success) {
    const issue = r.error.issues[0]
    throw r2InvalidArgument(`Invalid rules: ${issue ? `${issue.path.join('.')}: ${issue.message}` : 'malformed'}`)
  }
  return r.data
}
