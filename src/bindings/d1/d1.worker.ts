import { WorkerEntrypoint } from 'cloudflare:workers'
import { wireUrl } from '../../shared/wire.js'
import { internalFetch } from '../../host/internal-api.worker.js'
import type { HostEnv } from '../../host/env.worker.js'
import { countBindingCall, type BindingCaller } from '../../host/containment/binding-calls.worker.js'
import { recordUsage } from '../../host/containment/usage.worker.js'
import { D1_BOOKMARK_HEADER, D1_USAGE_HEADER, D1_WIRE } from './wire.js'

export interface D1Props {
  accountId: string
  databaseId: string
  /** The calling script: a call is one of its subrequests, its statements and rows are metered under it. */
  caller: BindingCaller
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
    const { accountId, databaseId, caller } = this.ctx.props
    countBindingCall(this.env, caller)
    const path = wireUrl(route, { account: accountId, db: databaseId }, url.searchParams)
    const res = await internalFetch(this.env, path, { method: 'POST', headers, body: request.body })
    const used = res.headers.get(D1_USAGE_HEADER)
    if (used !== null && this.env.SETTINGS.usage) {
      const [queries = 0, rowsRead = 0, rowsWritten = 0] = used.split(',').map(Number)
      recordUsage(caller.usageKey, { d1Queries: queries, d1RowsRead: rowsRead, d1RowsWritten: rowsWritten })
    }
    return res
  }
}
