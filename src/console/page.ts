import { Hono } from 'hono'
import { CONSOLE_JS } from './app-js.js'

const INDEX_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Workerhive console</title>
<link rel="stylesheet" href="/console/app.css">
</head>
<body>
<header><h1>Workerhive</h1><nav id="nav"></nav></header>
<main id="main"><p>Loading…</p></main>
<script src="/console/app.js"></script>
</body>
</html>
`

const CONSOLE_CSS = `
body { font: 14px/1.5 system-ui, sans-serif; margin: 0; color: #1d2330; background: #f6f7f9; }
header { display: flex; align-items: center; gap: 24px; padding: 8px 24px; background: #1d2330; color: #fff; }
header h1 { font-size: 18px; margin: 0; }
nav { display: flex; gap: 16px; align-items: center; flex-wrap: wrap; }
nav a { color: #ffd27a; }
main { padding: 16px 24px; }
table { border-collapse: collapse; background: #fff; min-width: 50%; }
th, td { text-align: left; padding: 4px 10px; border-bottom: 1px solid #e3e6eb; vertical-align: top; white-space: pre-wrap; }
.muted { color: #6b7383; }
.error { color: #b3261e; }
input, button { font: inherit; padding: 4px 8px; }
`

/**
 * The operators' web console: one page and its script, read-only views of the edge, namespaces,
 * Workers, metrics, logs and KV through the public v4 API with the operator's token (kept in the
 * tab's sessionStorage). The page itself holds nothing secret, so it is served without auth, under a
 * policy that runs only its own script.
 */
export function consoleRoutes(): Hono {
  const app = new Hono()
  const security = {
    'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  }
  app.get('/console', (c) => c.html(INDEX_HTML, 200, security))
  app.get('/console/app.js', (c) => c.body(CONSOLE_JS, 200, { ...security, 'content-type': 'text/javascript; charset=utf-8' }))
  app.get('/console/app.css', (c) => c.body(CONSOLE_CSS, 200, { ...security, 'content-type': 'text/css; charset=utf-8' }))
  return app
}
