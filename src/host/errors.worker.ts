/**
 * Cloudflare-style error pages for end users: 1101 (the Worker threw), 1102 (resource limits),
 * and Workerhive's 404 for a hostname no route or default hostname serves.
 */
export function errorPage(status: number, code: number, title: string, detail: string): Response {
  const body = `<!doctype html>
<html><head><meta charset="utf-8"><title>Error ${code}: ${escape(title)}</title></head>
<body><h1>Error ${code}</h1><h2>${escape(title)}</h2><p>${escape(detail)}</p></body></html>
`
  return new Response(body, {
    status,
    headers: { 'content-type': 'text/html; charset=utf-8', 'cf-error-code': String(code) },
  })
}

export const workerThrew = (): Response =>
  errorPage(500, 1101, 'Worker threw exception', 'The Worker serving this request threw a JavaScript exception.')

export const resourceLimits = (): Response =>
  errorPage(503, 1102, 'Worker exceeded resource limits', 'The Worker serving this request exceeded its CPU or memory limit.')

export const noWorker = (host: string): Response =>
  errorPage(404, 1042, 'No Worker is configured for this host', `Nothing is deployed at ${host}.`)

const escape = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!)
