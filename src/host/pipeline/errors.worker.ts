import { EDGE_ERRORS, HEADER_RAY, rayIdOf, type EdgeError, type EdgeErrorName } from '../../shared/edge-errors.js'

/** What a page knows about the request it answers. */
export interface PageContext {
  /** The request's ray header value (`<id>-<colo>`). */
  ray: string
  host: string
  accept: string | null
  /** The exception text, set only when the edge runs in development mode. */
  exception?: string
}

type Format = 'html' | 'json' | 'problem+json' | 'markdown' | 'text'

/**
 * Cloudflare-style error answers for end users (1101, 1102, and the no-Worker page). Cloudflare
 * sends browsers an HTML page, the RFC 9457 JSON or Markdown variants to clients that ask for them
 * in Accept, and `error code: 1101` as plain text to clients that name none of these (curl).
 */
export function edgeErrorResponse(name: EdgeErrorName, page: PageContext): Response {
  const error: EdgeError = EDGE_ERRORS[name]
  const format = preferredFormat(page.accept)
  const headers = {
    [HEADER_RAY]: page.ray,
    'cache-control': 'no-store',
    'cf-error-code': String(error.code),
    'content-type': CONTENT_TYPES[format],
  }
  return new Response(bodyFor(format, error, page), { status: error.status, headers })
}

/**
 * The edge's answer to a request body over the cap. Cloudflare answers these from its proxy, before
 * any Worker, with a bare 413 "Request Entity Too Large" HTML page and no 1xxx code; so does this.
 */
export function bodyTooLargeResponse(page: PageContext): Response {
  const title = '413 Request Entity Too Large'
  const body = `<html>\n<head><title>${title}</title></head>\n<body>\n<center><h1>${title}</h1></center>\n<hr><center>workerhive</center>\n</body>\n</html>\n`
  // `connection: close`: the rest of an oversized upload is not worth reading.
  const headers = { [HEADER_RAY]: page.ray, 'cache-control': 'no-store', 'content-type': 'text/html', connection: 'close' }
  return new Response(body, { status: 413, headers })
}

function bodyFor(format: Format, error: EdgeError, page: PageContext): string {
  switch (format) {
    case 'html':
      return htmlPage(error, page)
    case 'json':
    case 'problem+json':
      return JSON.stringify(problem(error, page), null, 2)
    case 'markdown':
      return markdown(error, page)
    case 'text':
      return `error code: ${error.code}${page.exception ? `\n\n${page.exception}` : ''}`
  }
}

const CONTENT_TYPES: Record<Format, string> = {
  html: 'text/html; charset=utf-8',
  json: 'application/json; charset=utf-8',
  'problem+json': 'application/problem+json; charset=utf-8',
  markdown: 'text/markdown; charset=utf-8',
  text: 'text/plain; charset=utf-8',
}

const NAMED: Array<[string, Format]> = [
  ['text/html', 'html'],
  ['application/xhtml+xml', 'html'],
  ['application/json', 'json'],
  ['application/problem+json', 'problem+json'],
  ['text/markdown', 'markdown'],
]

/** The highest-q type Accept names explicitly (the first listed on a tie); wildcards name none. */
function preferredFormat(accept: string | null): Format {
  let best: { format: Format; q: number } | undefined
  for (const part of (accept ?? '').toLowerCase().split(',')) {
    const [type, ...params] = part.split(';').map((s) => s.trim())
    const format = NAMED.find(([t]) => t === type)?.[1]
    if (!format) continue
    const qParam = params.find((p) => p.startsWith('q='))
    const q = qParam === undefined ? 1 : Number(qParam.slice(2))
    if (!(q > 0)) continue
    if (!best || q > best.q) best = { format, q }
  }
  return best?.format ?? 'text'
}

function problem(error: EdgeError, page: PageContext): Record<string, unknown> {
  const rayId = rayIdOf(page.ray)
  return {
    type: `https://developers.cloudflare.com/support/troubleshooting/http-status-codes/cloudflare-1xxx-errors/error-${error.code}/`,
    title: error.title,
    status: error.status,
    detail: error.happened,
    instance: rayId,
    error_code: error.code,
    error_name: slug(error.title),
    error_category: 'worker',
    ray_id: rayId,
    timestamp: new Date().toISOString(),
    zone: page.host,
    retryable: error.retryable,
    owner_action_required: true,
    ...(page.exception ? { exception: page.exception } : {}),
  }
}

function markdown(error: EdgeError, page: PageContext): string {
  const front = Object.entries(problem(error, page))
    .filter(([k]) => !['type', 'detail', 'instance', 'exception'].includes(k))
    .map(([k, v]) => `${k}: ${JSON.stringify(v)}`)
  const lines = ['---', ...front, '---', '', `# Error ${error.code}: ${error.title}`, '', '## What happened', '', error.happened, '', '## What you should do', '', error.todo, '']
  if (page.exception) lines.push('## Exception (development mode)', '', '```', page.exception, '```', '')
  return lines.join('\n')
}

function htmlPage(error: EdgeError, page: PageContext): string {
  const rayId = escape(rayIdOf(page.ray))
  const when = new Date().toISOString().replace('T', ' ').slice(0, 19) + ' UTC'
  const exception = page.exception
    ? `<section class="dev"><h3>Exception</h3><p>Shown because the edge runs in development mode; end users never see this.</p><pre>${escape(page.exception)}</pre></section>`
    : ''
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>${escape(error.title)} | ${escape(page.host)}</title>
<style>${STYLE}</style></head>
<body><main>
<header><h1>Error <span class="code">${error.code}</span></h1><p class="meta">Ray ID: <code>${rayId}</code> &bull; ${when}</p><h2>${escape(error.title)}</h2></header>
<section><h3>What happened?</h3><p>${escape(error.happened)}</p></section>
<section><h3>What can I do?</h3><p>${escape(error.todo)}</p></section>
${exception}<footer>Ray ID: <code>${rayId}</code> &bull; ${escape(page.host)} &bull; served by Workerhive</footer>
</main></body></html>
`
}

// Inline only: an error page must not depend on anything else being reachable.
const STYLE = [
  'body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#313131;background:#fff}',
  'main{max-width:60rem;margin:0 auto;padding:2.5rem 1.5rem}',
  'header{border-bottom:1px solid #dedede;padding-bottom:1.5rem;margin-bottom:1.5rem}',
  'h1{font-size:2.5rem;font-weight:300;margin:0}.code{font-weight:600}',
  'h2{font-size:1.75rem;font-weight:400;margin:.5rem 0 0}h3{font-size:1.2rem;margin:1.5rem 0 .5rem}',
  '.meta,footer{color:#6b6b6b;font-size:.875rem}footer{border-top:1px solid #dedede;margin-top:2rem;padding-top:1rem}',
  'pre{background:#f6f6f6;border-left:4px solid #f38020;padding:1rem;overflow:auto;white-space:pre-wrap}',
].join('')

const slug = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_|_$/g, '')

const escape = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!)
