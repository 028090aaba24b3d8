import { Hono } from 'hono'
import { requireKvNamespaceRoom } from '../quotas.js'
import { createKvService, type NamespaceSort } from '../../kv/service.js'
import type { KvNamespace } from '../../storage/kv-store.js'
import { readJsonObject } from '../body.js'
import type { ApiDeps, ApiEnv } from '../context.js'
import { ok, paginate } from '../envelope.js'
import {
  kvInvalidDirection,
  kvInvalidOrder,
  kvMalformedPage,
  kvMalformedPerPage,
  type ApiError,
} from '../../domain/errors.js'

/** Every namespace decodes URL-encoded keys in paths (the only behaviour we implement). */
export const kvNamespaceView = (n: KvNamespace) => ({ id: n.id, title: n.title, supports_url_encoding: true })

const MAX_PER_PAGE = 1000

/** `/accounts/:accountId/storage/kv/namespaces[/:namespaceId]`. */
export function kvNamespaceRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const kv = createKvService({ store: deps.store.kv, clock: deps.clock })
  const app = new Hono<ApiEnv>()
  const base = '/accounts/:accountId/storage/kv/namespaces'

  // The SDK (and so `wrangler kv namespace list`) asks for page after page until one is empty.
  app.get(base, async (c) => {
    const page = positiveInt(c.req.query('page'), 1, kvMalformedPage)
    const perPage = Math.min(MAX_PER_PAGE, positiveInt(c.req.query('per_page'), 20, kvMalformedPerPage))
    const sort = sortOf(c.req.query('order'), c.req.query('direction'))
    const list = await kv.listNamespaces(c.get('account').id, sort)
    const { items, info } = paginate(list.map(kvNamespaceView), page, perPage)
    return c.json(ok(items, info))
  })

  app.post(base, async (c) => {
    const body = await readJsonObject(c)
    await requireKvNamespaceRoom(deps, c.get('account').id)
    return c.json(ok(kvNamespaceView(await kv.createNamespace(c.get('account').id, body.title))))
  })

  app.get(`${base}/:namespaceId`, async (c) => {
    return c.json(ok(kvNamespaceView(await kv.getNamespace(c.get('account').id, c.req.param('namespaceId')))))
  })

  app.put(`${base}/:namespaceId`, async (c) => {
    const body = await readJsonObject(c)
    const ns = await kv.renameNamespace(c.get('account').id, c.req.param('namespaceId'), body.title)
    return c.json(ok(kvNamespaceView(ns)))
  })

  app.delete(`${base}/:namespaceId`, async (c) => {
    await kv.deleteNamespace(c.get('account').id, c.req.param('namespaceId'))
    return c.json(ok({}))
  })

  return app
}

function positiveInt(raw: string | undefined, fallback: number, invalid: (raw: string) => ApiError): number {
  if (raw === undefined || raw === '') return fallback
  if (!/^\d+$/.test(raw) || Number(raw) < 1) throw invalid(raw)
  return Number(raw)
}

function sortOf(order: string | undefined, direction: string | undefined): NamespaceSort {
  const o = order || 'title'
  const d = direction || 'asc'
  if (o !== 'id' && o !== 'title') throw kvInvalidOrder(o)
  if (d !== 'asc' && d !== 'desc') throw kvInvalidDirection(d)
  return { order: o, direction: d }
}
