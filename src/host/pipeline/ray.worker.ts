import { HEADER_RAY } from '../../shared/edge-errors.js'

/**
 * A fresh ray for one edge request: 16 hex digits and the node's colo, Cloudflare's `cf-ray`
 * format. Random, so it needs no coordination between processes or nodes.
 */
export function newRay(colo: string): string {
  const bytes = crypto.getRandomValues(new Uint8Array(8))
  let hex = ''
  for (const b of bytes) hex += b.toString(16).padStart(2, '0')
  return `${hex}-${colo}`
}

/**
 * The request as Workers see it, carrying the edge's ray (as on Cloudflare, where every Worker
 * reads `cf-ray`). A client-sent value is replaced: the id must name this request only. Trace
 * events record request headers, which is how logs and tails learn the ray.
 */
export function withRay(request: Request, ray: string): Request {
  const headers = new Headers(request.headers)
  headers.set(HEADER_RAY, ray)
  return new Request(request, { headers })
}

/** Every edge response carries its ray, as every Cloudflare response does. */
export function stampRay(response: Response, ray: string): Response {
  const stamped = new Response(response.body, response)
  stamped.headers.set(HEADER_RAY, ray)
  return stamped
}
