import type { R2ObjectRow } from '../storage/r2-store.js'
import { httpMetadataHeaders } from './objects.js'

/** A body the service streams, as a web stream (bytes pulled only as the reader asks). */
export function webStream(body: AsyncIterable<Uint8Array>): ReadableStream<Uint8Array> {
  const it = body[Symbol.asyncIterator]()
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { value, done } = await it.next()
      if (done) controller.close()
      else controller.enqueue(value)
    },
    async cancel() {
      await it.return?.()
    },
  })
}

/** A request body as the service reads it; null when there is none. */
export const bodyOf = (request: Request): AsyncIterable<Uint8Array> | null =>
  request.body as unknown as AsyncIterable<Uint8Array> | null

/** The headers an object is served with (REST API and S3 GET/HEAD). */
export function objectHeaders(o: R2ObjectRow, length: number): Headers {
  const h = new Headers(httpMetadataHeaders(o.httpMetadata))
  h.set('etag', `"${o.etag}"`)
  h.set('last-modified', new Date(o.uploaded).toUTCString())
  h.set('content-length', String(length))
  if (!h.has('content-type')) h.set('content-type', 'application/octet-stream')
  return h
}

/** The Content-Length a request declares, or undefined. */
export function declaredLengthOf(request: Request): number | undefined {
  const raw = request.headers.get('content-length')
  if (raw === null || !/^\d+$/.test(raw)) return undefined
  return Number(raw)
}
