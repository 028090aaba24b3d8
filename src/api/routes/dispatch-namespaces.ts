import { Hono } from 'hono'
import { requireNamespaceRoom } from '../quotas.js'
import { namespaceNameProblem } from '../../domain/names.js'
import { StorageConflict, type Namespace } from '../../storage/store.js'
import { readJsonObject } from '../body.js'
import type { ApiContext, ApiDeps, ApiEnv } from '../context.js'
import { ok } from '../envelope.js'
import { invalidNamespaceName, malformedBody, namespaceExists, namespaceNotFound } from '../../domain/errors.js'

export const namespaceView = (n: Namespace) => ({
  namespace_id: n.id,
  namespace_name: n.name,
  created_on: n.createdOn,
  created_by: n.accountId,
  modified_on: n.modifiedOn,
  modified_by: n.accountId,
  script_count: n.scriptCount,
  trusted_workers: n.trustedWorkers,
})

function requireName(value: unknown): string {
  if (typeof value !== 'string') throw malformedBody("field 'name' must be a string")
  const problem = namespaceNameProblem(value)
  if (problem) throw invalidNamespaceName(problem)
  return value
}

/** `/accounts/:accountId/workers/dispatch/namespaces[/:namespace]`. */
export function dispatchNamespaceRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>()
  const base = '/accounts/:accountId/workers/dispatch/namespaces'

  app.get(base, async (c) => {
    const list = await deps.store.namespaces.list(c.get('account').id)
    return c.json(ok(list.map(namespaceView)))
  })

  app.post(base, async (c) => {
    const body = await readJsonObject(c)
    const name = requireName(body.name)
    await requireNamespaceRoom(deps, c.get('account').id)
    try {
      const ns = await deps.store.namespaces.create(c.get('account').id, name)
      return c.json(ok(namespaceView(ns)))
    } catch (e) {
      if (e instanceof StorageConflict) throw namespaceExists(name)
      throw e
    }
  })

  app.get(`${base}/:namespace`, async (c) => {
    const ns = await deps.store.namespaces.get(c.get('account').id, c.req.param('namespace'))
    if (!ns) throw namespaceNotFound(c.req.param('namespace'))
    return c.json(ok(namespaceView(ns)))
  })

  // PUT renames (wrangler sends only {name}); PATCH is the partial form. Both may flip trusted_workers.
  const update = async (c: ApiContext) => {
    const current = c.req.param('namespace')!
    const body = await readJsonObject(c)
    const patch: { name?: string; trustedWorkers?: boolean } = {}
    if (body.name !== undefined) patch.name = requireName(body.name)
    if (body.trusted_workers !== undefined) {
      if (typeof body.trusted_workers !== 'boolean') throw malformedBody("field 'trusted_workers' must be a boolean")
      patch.trustedWorkers = body.trusted_workers
    }
    try {
      const ns = await deps.store.namespaces.update(c.get('account').id, current, patch)
      if (!ns) throw namespaceNotFound(current)
      if (patch.trustedWorkers !== undefined || patch.name !== undefined) {
        await deps.edge.scriptChanged({ accountId: ns.accountId, namespaceId: ns.id, name: '*' })
      }
      return c.json(ok(namespaceView(ns)))
    } catch (e) {
      if (e instanceof StorageConflict) throw namespaceExists(patch.name ?? current)
      throw e
    }
  }
  app.put(`${base}/:namespace`, update)
  app.patch(`${base}/:namespace`, update)

  app.delete(`${base}/:namespace`, async (c) => {
    const name = c.req.param('namespace')
    const ns = await deps.store.namespaces.get(c.get('account').id, name)
    if (!ns) throw namespaceNotFound(name)
    await deps.store.namespaces.delete(c.get('account').id, name)
    await deps.edge.scriptChanged({ accountId: ns.accountId, namespaceId: ns.id, name: '*' })
    return c.json(ok(null))
  })

  return app
}
