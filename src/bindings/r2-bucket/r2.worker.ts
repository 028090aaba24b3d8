import { WorkerEntrypoint } from 'cloudflare:workers'
import { wireUrl } from '../../shared/wire.js'
import { internalFetch } from '../../host/internal-api.worker.js'
import type { HostEnv } from '../../host/env.worker.js'
import { countBindingCall, type BindingCaller } from '../../host/containment/binding-calls.worker.js'
import type { UsageCounters } from '../../shared/usage.js'
import { R2_HEADERS, R2_WIRE, r2OperationOf } from './wire.js'

export interface R2Props {
  accountId: string
  bucket: string
  /** The calling script: a call is one of its subrequests and one of its class A or B operations. */
  caller: BindingCaller
}

/**
 * Each operation's class as Cloudflare's R2 pricing bills it: class A for writes, lists and
 * multipart steps (PutObject, ListObjects, CreateMultipartUpload, UploadPart,
 * CompleteMultipartUpload), class B for reads (GetObject, HeadObject); DeleteObject and
 * AbortMultipartUpload are free.
 */
const R2_CLASS: Record<keyof typeof R2_WIRE, Partial<UsageCounters> | undefined> = {
  head: { r2ClassB: 1 },
  get: { r2ClassB: 1 },
  put: { r2ClassA: 1 },
  delete: undefined,
  list: { r2ClassA: 1 },
  createUpload: { r2ClassA: 1 },
  uploadPart: { r2ClassA: 1 },
  completeUpload: { r2ClassA: 1 },
  abortUpload: undefined,
}

/** The routes a Worker's R2Bucket may call, by `<method> <operation>` of the shim's request. */
const R2_ROUTES = new Map(
  (Object.entries(R2_WIRE) as Array<[keyof typeof R2_WIRE, (typeof R2_WIRE)[keyof typeof R2_WIRE]]>).map(([op, route]) => [
    `${route.method} ${r2OperationOf(route.path)}`,
    { route, usage: R2_CLASS[op] },
  ]),
)
const R2_FORWARDED_HEADERS = [R2_HEADERS.options, 'content-type', 'content-length'] as const

/**
 * An R2 binding. Customer code sees the R2Bucket of isolate/r2-bucket.ts, which calls fetch() here
 * (that works under every compatibility date); each call goes on, its body streaming, to Node's R2
 * service under this binding's bucket, never one the request names.
 */
export class R2BucketBinding extends WorkerEntrypoint<HostEnv, R2Props> {
  override async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url)
    const found = R2_ROUTES.get(`${request.method} ${url.pathname.slice(1)}`)
    if (!found) return new Response('Unknown R2 operation', { status: 404 })
    const { route, usage } = found
    countBindingCall(this.env, this.ctx.props.caller, usage)
    const headers = new Headers()
    for (const name of R2_FORWARDED_HEADERS) {
      const value = request.headers.get(name)
      if (value !== null) headers.set(name, value)
    }
    const body = request.method === 'PUT' || request.method === 'POST' ? request.body : null
    const { accountId, bucket } = this.ctx.props
    const path = wireUrl(route, { account: accountId, bucket }, url.searchParams)
    return internalFetch(this.env, path, { method: request.method, headers, body })
  }
}
