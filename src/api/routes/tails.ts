import { readTextLimited } from '../body.js'
import { getConnInfo } from '@hono/node-server/conninfo'
import { Hono } from 'hono'
import type { ScriptRef } from '../../runtime/events.js'
import { isoTime } from '../../util/clock.js'
import { invalidInput, malformedBody, tailNotFound } from '../../domain/errors.js'
import type { ApiContext, ApiDeps, ApiEnv } from '../context.js'
import { ok } from '../envelope.js'
import { describeZodError } from '../upload/metadata.js'
import { loadScript, namespaceScriptLocator, scriptParam, type ScriptLocator } from '../scripts/locator.js'
import { TailFiltersBody } from '../tail/filters.js'
import type { TailSession, TailSessions } from '../tail/sessions.js'
import { accountScriptLocator } from './account-scripts.js'

const tailView = (s: TailSession) => ({ id: s.id, url: s.url, expires_at: isoTime(s.expiresAt) })

/**
 * Live tails (`wrangler tail`): start, list and stop a tail of an account-level Worker, and the
 * same for a script of a dispatch namespace (Cloudflare has no such route and wrangler no such flag;
 * a platform tails its tenants' Workers through it). The WebSocket itself is served by the
 * server's upgrade handler (src/api/tail/upgrade.ts).
 */
export function tailRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>()
  const sessions = deps.tails
  // Without the edge there are no trace events to send, so there is nothing to tail.
  if (!sessions) return app
  for (const locator of [accountScriptLocator(), namespaceScriptLocator(deps)]) mountTails(app, deps, sessions, locator)
  return app
}

function mountTails(app: Hono<ApiEnv>, deps: ApiDeps, sessions: TailSessions, locator: ScriptLocator): void {
  const path = `${locator.collection}/:script/tails`

  /** The script the path names, which must exist (with the locator's not-found error otherwise). */
  const target = async (c: ApiContext): Promise<{ ref: ScriptRef; namespaceName: string | null }> => {
    const where = await locator.scope(c)
    const name = scriptParam(c)
    await loadScript(deps.store, locator, where, name)
    return { ref: { accountId: where.accountId, namespaceId: where.namespaceId ?? '', script: name }, namespaceName: where.namespaceName }
  }

  // wrangler posts `{"filters":[…]}` as text/plain, so the body is read as JSON whatever its type.
  app.post(path, async (c) => {
    const { ref, namespaceName } = await target(c)
    const filters = TailFiltersBody.safeParse(await optionalJson(c))
    if (!filters.success) throw invalidInput(describeZodError(filters.error, 'tail filters'))
    const session = sessions.create({
      ref,
      namespaceName,
      filters: filters.data.filters,
      creatorIp: getConnInfo(c).remote.address,
      socketBase: socketBase(c),
    })
    // The edge traces a script only while it is tailed: reshape its isolate before answering, so
    // the first request after the socket opens is already traced.
    await deps.edge.scriptChanged({ accountId: ref.accountId, namespaceId: ref.namespaceId || null, name: ref.script })
    return c.json(ok(tailView(session)))
  })

  app.get(path, async (c) => {
    const { ref } = await target(c)
    return c.json(ok(sessions.list(ref).map(tailView)))
  })

  app.delete(`${path}/:tail`, async (c) => {
    const { ref } = await target(c)
    const id = c.req.param('tail')
    if (!sessions.delete(ref, id)) throw tailNotFound(id)
    await deps.edge.scriptChanged({ accountId: ref.accountId, namespaceId: ref.namespaceId || null, name: ref.script })
    return c.json(ok(null))
  })
}

/** The socket lives on this API server, under the tail's own path, reached the way this request was. */
function socketBase(c: ApiContext): string {
  const url = new URL(c.req.url)
  const secure = url.protocol === 'https:' || c.req.header('x-forwarded-proto') === 'https'
  return `${secure ? 'wss' : 'ws'}://${url.host}${url.pathname.replace(/\/+$/, '')}`
}

async function optionalJson(c: ApiContext): Promise<unknown> {
  const text = await readTextLimited(c)
  if (text.trim() === '') return {}
  try {
    return JSON.parse(text)
  } catch (e) {
    throw malformedBody(`the body is not valid JSON (${(e as Error).message})`)
  }
}
