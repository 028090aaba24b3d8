import { WorkerEntrypoint } from 'cloudflare:workers'
import { wireUrl } from '../../shared/wire.js'
import { internalFetch } from '../../host/internal-api.worker.js'
import type { HostEnv } from '../../host/env.worker.js'
import { D1_BOOKMARK_HEADER, D1_WIRE } from './wire.js'

export interface D1Props {
  accountId: string
  databaseId: string
}

const D1_ROUTES = new Map(Object.entries(D1_WIRE))

/**
 * A D1 binding. Customer code sees the D1Database of isolate/d1-database.ts, which calls fetch()
 * here (that works under every compatibility date); each call goes on to Node's D1 service under
 * this binding's database, never one the request names.
 */
export class D1Binding extends WorkerEntrypoint<HostEnv, D1Props> {
  override async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url)
    const route = D1_ROUTES.get(url.pathname.slice(1))
    if (!route || request.method !== 'POST') return new Response('Unknown D1 operation', { status: 404 })
    const headers = new Headers({ 'content-type': 'application/json' })
    const bookmark = request.headers.get(D1_BOOKMARK_HEADER)
    if (bookmark !== null) headers.set(D1_BOOKMARK_HEADER, bookmark)
    const { accountId, databaseId } = this.ctx.props
    const path = wireUrl(route, { account: accountId, db: databaseId }, url.searchParams)
    return internalFetch(this.env, path, { method: 'POST', headers, body: request.body })
  }
}
