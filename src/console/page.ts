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
figure.usage { margin: 0; }
figure.usage svg.chart { display: block; background: #f4f6f8; }
figure.usage svg.chart rect { fill: #3b73b9; }
figure.usage figcaption { font-size: 0.8em; color: #555; }
* { box-sizing: border-box; }
body { font: 14px/1.5 system-ui, sans-serif; margin: 0; color: #1d2330; background: #f6f7f9; }
header { display: flex; align-items: center; flex-wrap: wrap; gap: 8px 24px; padding: 8px 24px; background: #1d2330; color: #fff; }
header h1 { font-size: 18px; margin: 0; }
header .muted { color: #aab2c0; }
nav { display: flex; gap: 8px 16px; align-items: center; flex-wrap: wrap; }
nav a { color: #ffd27a; }
main { padding: 16px 24px; max-width: 1400px; }
h2 { overflow-wrap: anywhere; }
.scroll { overflow-x: auto; max-width: 100%; }
table { border-collapse: collapse; background: #fff; min-width: 50%; }
th, td { text-align: left; padding: 4px 10px; border-bottom: 1px solid #e3e6eb; vertical-align: top; white-space: pre-wrap; overflow-wrap: anywhere; }
td { max-width: 40em; }
th { overflow-wrap: normal; white-space: nowrap; }
pre.value { background: #fff; border: 1px solid #e3e6eb; padding: 8px; white-space: pre-wrap; overflow-wrap: anywhere; }
.muted { color: #6b7383; }
.error { color: #b3261e; }
.ok { color: #1e6b34; overflow-wrap: anywhere; }
.actions { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; margin: 8px 0; }
input, button { font: inherit; padding: 4px 8px; max-width: 100%; }
input[type=password], input[type=search] { width: 28em; }
button.danger { color: #fff; background: #b3261e; border: 1px solid #8c1d17; }
/* A narrow window: each table row becomes a card of labelled lines, so nothing scrolls sideways. */
@media (max-width: 640px) {
  header, main { padding: 8px 12px; }
  table { min-width: 0; width: 100%; }
  thead { display: none; }
  tr { display: block; border-bottom: 2px solid #d5d9e0; padding: 4px 0; }
  td { display: block; border: 0; max-width: none; padding: 2px 8px; }
  td[data-label]:not(:empty)::before { content: attr(data-label) ": "; color: #6b7383; }
}
`

/**
 * The operators' web console: one page and its script over the public v4 API with the operator's
 * token (kept in the tab's sessionStorage): the edge, namespaces, Workers with their invocations
 * (search, live tail), versions and actions, metrics, KV keys and values, API tokens. The page itself holds nothing secret, so it is served without auth, under a
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
