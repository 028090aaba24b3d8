// The R2 binding's wire, compiled in both worlds. Inside a loaded Worker, the R2Bucket
// (isolate/r2-bucket.ts) calls its raw binding's fetch() at R2_ORIGIN + an operation path; the
// host's R2BucketBinding entrypoint (r2.worker.ts) forwards the call, body streaming, to the matching
// route of Node's R2 handlers (internal.ts) under the binding's own bucket.
import { defineRoute } from '../../shared/wire.js'
import type { HostBinding } from '../../shared/protocol.js'

export const R2_ORIGIN = 'http://r2.workerhive.invalid/'

/** Node's routes for the binding, by operation; the shim's path is the route's last segments. */
export const R2_WIRE = {
  head: defineRoute('GET', '/internal/r2/:account/:bucket/head', ['key']),
  get: defineRoute('POST', '/internal/r2/:account/:bucket/get'),
  put: defineRoute('PUT', '/internal/r2/:account/:bucket/object', ['key']),
  delete: defineRoute('POST', '/internal/r2/:account/:bucket/delete'),
  list: defineRoute('POST', '/internal/r2/:account/:bucket/list'),
  createUpload: defineRoute('POST', '/internal/r2/:account/:bucket/multipart/create'),
  uploadPart: defineRoute('PUT', '/internal/r2/:account/:bucket/multipart/part', ['key', 'upload_id', 'part_number']),
  completeUpload: defineRoute('POST', '/internal/r2/:account/:bucket/multipart/complete'),
  abortUpload: defineRoute('POST', '/internal/r2/:account/:bucket/multipart/abort'),
} as const

/** The operation path the shim uses for a route (`head`, `object`, `multipart/part`, …). */
export const r2OperationOf = (path: string): string => path.replace('/internal/r2/:account/:bucket/', '')

/**
 * Headers of the wire: the object's metadata as JSON on get/put answers, a put's options as JSON,
 * and R2's error code on failures (the message is the body).
 */
export const R2_HEADERS = {
  object: 'x-r2-object',
  options: 'x-r2-options',
  errorCode: 'x-r2-error-code',
} as const

/** An R2 binding as the host builds it into env. */
export interface R2HostBinding extends HostBinding {
  type: 'r2'
  bucket: string
}
