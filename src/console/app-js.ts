// The console's script, served as /console/app.js. Plain browser JavaScript (no build step, no
// dependencies) that talks only to the public v4 API with the operator's token. Everything shown
// is set as text, never as HTML: script names, log lines, KV keys and values come from tenants.
// Every view has a hash route (#/namespaces/tenants/scripts/shop, #/kv/<id>?prefix=a, …), so each
// page can be bookmarked and reloaded.
export const CONSOLE_JS = String.raw`
'use strict'
const API = '/client/v4'
const state = { token: sessionStorage.getItem('wh-token') || '', account: null, tail: null }

function el(tag, attrs, ...children) {
  const node = document.createElement(tag)
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'onclick') node.addEventListener('click', v)
    else if (v !== null && v !== undefined && v !== false) node.setAttribute(k, v)
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) node.append(c instanceof Node ? c : String(c))
  return node
}

/** Calls the v4 API; the envelope's result (and result_info) or an Error with Cloudflare's code. */
async function api(path, init) {
  const options = Object.assign({}, init || {})
  options.headers = Object.assign({ authorization: 'Bearer ' + state.token }, options.headers || {})
  if (options.json !== undefined) {
    options.body = JSON.stringify(options.json)
    options.headers['content-type'] = 'application/json'
    delete options.json
  }
  const res = await fetch(API + path, options)
  const body = await res.json().catch(() => null)
  if (!res.ok || !body || !body.success) {
    const why = body && body.errors && body.errors[0] ? body.errors[0].code + ': ' + body.errors[0].message : res.status + ' ' + res.statusText
    throw new Error(why)
  }
  return body
}

const main = () => document.getElementById('main')
const acct = () => '/accounts/' + encodeURIComponent(state.account.id)
const enc = encodeURIComponent
const text = (v) => (v === null || v === undefined ? '' : String(v))
const iso = (ms) => (ms ? new Date(ms).toISOString() : '')

/** Replaces the view. Absent parts (null) are left out: replaceChildren would print them as "null". */
function show(title, ...content) {
  main().replaceChildren(el('h2', {}, title), ...content.filter((c) => c !== null && c !== undefined && c !== false))
}

function table(headers, rows, empty) {
  if (rows.length === 0) return el('p', { class: 'muted' }, empty || 'Nothing here yet.')
  return el('div', { class: 'scroll' }, el('table', {}, el('thead', {}, el('tr', {}, headers.map((h) => el('th', {}, h)))),
    el('tbody', {}, rows.map((r) => el('tr', {}, r.map((c, i) => el('td', { 'data-label': headers[i] }, c)))))))
}

/** A link to a hash route: every page of the console has one. */
function link(label, route) {
  return el('a', { href: '#' + route }, label)
}

/** A button running an action, then the view again (or showing the action's error next to it). */
function action(label, run, opts) {
  const b = el('button', { type: 'button', class: (opts && opts.danger) ? 'danger' : null }, label)
  b.addEventListener('click', async () => {
    if (opts && opts.confirm && !confirm(opts.confirm)) return
    b.disabled = true
    try {
      await run()
      if (!(opts && opts.stay)) await route()
    } catch (err) {
      note(String(err.message || err), 'error')
    } finally {
      b.disabled = false
    }
  })
  return b
}

/** A line at the top of the view saying what an action did (or why it failed). */
function note(message, kind) {
  const old = document.getElementById('note')
  if (old) old.remove()
  main().prepend(el('p', { id: 'note', class: kind || 'ok', role: 'status' }, message))
}

function scriptBase(ns) {
  return ns === null ? acct() + '/workers/scripts' : acct() + '/workers/dispatch/namespaces/' + enc(ns) + '/scripts'
}
const scriptRoute = (ns, name) => (ns === null ? '/workers/' : '/namespaces/' + enc(ns) + '/scripts/') + enc(name)

// --- views ---------------------------------------------------------------------------------------

async function overview() {
  const status = (await api('/workerhive/status')).result
  const procs = status.processes || []
  const sandbox = status.sandbox ? status.sandbox.kind + (status.sandbox.reason ? ' (' + status.sandbox.reason + ')' : '') : 'unknown'
  const watchdog = status.watchdog ? status.watchdog.kills + ' kills, ' + status.watchdog.recycles + ' recycles' : ''
  const contained = status.containment || []
  show('Edge',
    status.operator ? el('p', {}, 'Sandbox: ' + sandbox + (watchdog ? ' · watchdog: ' + watchdog : '')) : null,
    status.operator ? table(['process', 'role', 'pid', 'state', 'restarts'], procs.map((p) => [p.index, p.role, text(p.pid), p.state, p.restarts]), 'The edge is not running.') : null,
    el('h3', {}, 'Contained scripts'),
    table(['script', 'status', 'reason', 'strikes', 'until', ''], contained.map((c) => [c.key, c.status, text(c.reason), c.strikes, iso(c.until),
      status.operator ? action('Lift', async () => {
        await api('/workerhive/containment?key=' + enc(c.key), { method: 'DELETE' })
      }, { confirm: 'Let ' + c.key + ' run on the shared pool again?' }) : '']), 'No script is on probation or refused.'))
}

async function namespaces() {
  const list = (await api(acct() + '/workers/dispatch/namespaces')).result
  show('Dispatch namespaces', table(['name', 'scripts', 'trusted', 'created'],
    list.map((n) => [link(n.namespace_name, '/namespaces/' + enc(n.namespace_name)), n.script_count, n.trusted_workers ? 'yes' : 'no', text(n.created_on)])))
}

async function scripts(ns) {
  // Namespace listings wrap each script ({script, dispatch_namespace, …}); account listings do not.
  const list = (await api(scriptBase(ns))).result.map((item) => item.script || item)
  show(ns === null ? 'Account Workers' : 'Namespace ' + ns, table(['script', 'tags', 'assets', 'modified'],
    list.map((s) => [link(s.id, scriptRoute(ns, s.id)), (s.tags || []).join(', '), s.has_assets ? 'yes' : 'no', text(s.modified_on)])))
}

async function script(ns, name, query) {
  const base = scriptBase(ns) + '/' + enc(name)
  const settings = (await api(base + '/settings')).result
  const q = '?script=' + enc(name) + (ns === null ? '' : '&namespace=' + enc(ns))
  const [logs, metrics, versions, deployments, subdomain] = await Promise.all([
    api(acct() + '/workerhive/logs' + q).then((b) => b.result),
    api(acct() + '/workerhive/metrics').then((b) => b.result),
    api(base + '/versions').then((b) => b.result.items || []),
    api(base + '/deployments').then((b) => b.result.deployments || []),
    ns === null ? api(base + '/subdomain').then((b) => b.result) : Promise.resolve(null),
  ])
  const counts = metrics.find((m) => m.script === name && (m.dispatch_namespace || null) === ns)
  const current = deployments.slice().sort((a, b) => String(b.created_on).localeCompare(String(a.created_on)))[0]
  const live = new Set(current ? current.versions.map((v) => v.version_id) : [])
  const search = el('input', { type: 'search', placeholder: 'Search invocations', value: query.get('q') || '', 'aria-label': 'Search invocations' })
  const rows = logs.slice().reverse().map(eventRow)
  const body = el('tbody', {})
  const filter = () => {
    const needle = search.value.toLowerCase()
    body.replaceChildren(...rows.filter((r) => !needle || r.text.toLowerCase().includes(needle)).map((r) => r.node))
  }
  search.addEventListener('input', filter)
  filter()
  const tailButton = el('button', { type: 'button' }, 'Live tail')
  tailButton.addEventListener('click', () => toggleTail(ns, name, body, rows, tailButton, filter))

  show(name,
    el('p', { class: 'muted' }, 'compatibility date ' + text(settings.compatibility_date) + (ns === null ? ' · account Worker' : ' · namespace ' + ns)),
    el('div', { class: 'actions' },
      subdomain ? (subdomain.enabled
        ? action('Disable', () => api(base + '/subdomain', { method: 'POST', json: { enabled: false } }))
        : action('Enable', () => api(base + '/subdomain', { method: 'POST', json: { enabled: true } }))) : null,
      action('Delete', async () => {
        await api(base, { method: 'DELETE' })
        location.hash = ns === null ? '#/workers' : '#/namespaces/' + enc(ns)
      }, { danger: true, stay: true, confirm: 'Delete ' + name + '? Its code, versions and settings are gone for good.' })),
    subdomain ? el('p', { class: 'muted' }, 'Default hostname: ' + (subdomain.enabled ? 'on (serving)' : 'off (the edge answers 404, error 1001)')) : null,
    el('h3', {}, 'Requests'),
    el('p', {}, counts ? counts.invocations + ' invocations, ' + counts.exceptions + ' exceptions' +
      (Object.keys(counts.outcomes || {}).length ? ' (' + Object.entries(counts.outcomes).map(([k, v]) => k + ' ' + v).join(', ') + ')' : '') +
      (counts.last_seen ? ' · last ' + counts.last_seen : '') : 'No invocation counted yet.'),
    el('h3', {}, 'Versions'),
    table(['#', 'id', 'created', 'deployed', ''], versions.map((v) => [v.number, v.id, text(v.metadata && v.metadata.created_on),
      live.has(v.id) ? 'live' : '',
      live.has(v.id) && live.size === 1 ? '' : action('Roll back to #' + v.number, () =>
        api(base + '/deployments', { method: 'POST', json: { strategy: 'percentage', versions: [{ version_id: v.id, percentage: 100 }], annotations: { 'workers/message': 'Rolled back from the console' } } }),
      { confirm: 'Serve version #' + v.number + ' of ' + name + ' to all traffic?' })]), 'No versions.'),
    el('h3', {}, 'Bindings'),
    table(['name', 'type'], (settings.bindings || []).map((b) => [b.name, b.type]), 'No bindings.'),
    el('h3', {}, 'Invocations'),
    el('div', { class: 'actions' }, search, tailButton),
    el('div', { class: 'scroll' }, el('table', { id: 'invocations' },
      el('thead', {}, el('tr', {}, ['time', 'ray', 'request', 'outcome', 'console', 'exceptions'].map((h) => el('th', {}, h)))), body)),
    logs.length === 0 ? el('p', { class: 'muted' }, 'No invocations recorded. Logs are kept while Workers Logs (observability) is on or a tail is open.') : null)
}

/** One invocation as a table row, with the text the search looks in. */
function eventRow(e) {
  const cells = [
    iso(e.eventTimestamp),
    text(e.rayId),
    e.event && e.event.request ? text(e.event.request.method) + ' ' + text(e.event.request.url) : '',
    text(e.outcome),
    (e.logs || []).map((l) => l.level + ': ' + [].concat(l.message === undefined ? [] : l.message).map(String).join(' ')).join('\n'),
    (e.exceptions || []).map((x) => (x.name || 'Error') + ': ' + text(x.message)).join('\n'),
  ]
  const labels = ['time', 'ray', 'request', 'outcome', 'console', 'exceptions']
  return { text: cells.join(' '), node: el('tr', {}, cells.map((c, i) => el('td', { 'data-label': labels[i] }, c))) }
}

/** Starts a live tail (POST …/tails, then its WebSocket) whose events go on top of the table. */
async function toggleTail(ns, name, body, rows, button, filter) {
  if (state.tail) return stopTail(button)
  const base = scriptBase(ns) + '/' + enc(name)
  button.disabled = true
  try {
    const session = (await api(base + '/tails', { method: 'POST', json: { filters: [] } })).result
    const socket = new WebSocket(session.url, 'trace-v1')
    state.tail = { socket, stop: () => api(base + '/tails/' + enc(session.id), { method: 'DELETE' }).catch(() => {}) }
    socket.addEventListener('open', () => { button.textContent = 'Stop tail'; button.disabled = false; note('Live tail open: new invocations appear as they happen.') })
    socket.addEventListener('message', async (m) => {
      const raw = typeof m.data === 'string' ? m.data : await m.data.text()
      let event
      try { event = JSON.parse(raw) } catch { return }
      rows.unshift(eventRow(event))
      filter()
    })
    socket.addEventListener('close', () => { if (state.tail && state.tail.socket === socket) stopTail(button) })
  } catch (err) {
    button.disabled = false
    note(String(err.message || err), 'error')
  }
}

function stopTail(button) {
  const tail = state.tail
  state.tail = null
  if (!tail) return
  tail.socket.close()
  void tail.stop()
  if (button) { button.textContent = 'Live tail'; button.disabled = false }
}

async function metrics() {
  const rows = (await api(acct() + '/workerhive/metrics')).result
  show('Metrics', table(['namespace', 'script', 'invocations', 'exceptions', 'outcomes', 'last seen'],
    rows.map((m) => [m.dispatch_namespace === null ? '(account)' : link(m.dispatch_namespace, '/namespaces/' + enc(m.dispatch_namespace)),
      link(m.script, scriptRoute(m.dispatch_namespace, m.script)), m.invocations, m.exceptions,
      Object.entries(m.outcomes || {}).map(([k, v]) => k + ' ' + v).join(', '), text(m.last_seen)])))
}

// --- usage (Cloudflare's GraphQL Analytics API) ----------------------------------------------------

/** A GraphQL query against /graphql; its data, or an Error with the first GraphQL error. */
async function graphql(query, variables) {
  const res = await fetch(API + '/graphql', {
    method: 'POST',
    headers: { authorization: 'Bearer ' + state.token, 'content-type': 'application/json' },
    body: JSON.stringify({ query: query, variables: variables }),
  })
  const body = await res.json().catch(() => null)
  if (!body || (body.errors && body.errors.length > 0) || !body.data) throw new Error(body && body.errors ? body.errors[0].message : res.status + ' ' + res.statusText)
  return body.data
}

const USAGE_MINUTES = 60
const USAGE_QUERY = 'query Usage($account: string!, $filter: AccountWorkersInvocationsAdaptiveFilter_InputObject!) {' +
  ' viewer { accounts(filter: { accountTag: $account }) {' +
  ' workersInvocationsAdaptive(limit: 10000, filter: $filter) {' +
  ' sum { requests errors cpuTime } dimensions { scriptName dispatchNamespaceName datetimeMinute } } } } }'

/** The last hour's usage, per key (namespace or script) and minute. */
async function usageSeries(filter, keyOf) {
  const end = Date.now()
  const start = end - USAGE_MINUTES * 60000
  const range = { datetime_geq: new Date(start).toISOString(), datetime_leq: new Date(end).toISOString() }
  const data = await graphql(USAGE_QUERY, { account: state.account.id, filter: Object.assign(range, filter || {}) })
  const first = start - (start % 60000)
  const series = new Map()
  for (const g of data.viewer.accounts[0].workersInvocationsAdaptive) {
    const key = keyOf(g.dimensions)
    if (!series.has(key)) series.set(key, { requests: new Array(USAGE_MINUTES + 1).fill(0), errors: new Array(USAGE_MINUTES + 1).fill(0), cpu: new Array(USAGE_MINUTES + 1).fill(0) })
    const s = series.get(key)
    const i = Math.round((Date.parse(g.dimensions.datetimeMinute) - first) / 60000)
    if (i < 0 || i > USAGE_MINUTES) continue
    s.requests[i] += g.sum.requests
    s.errors[i] += g.sum.errors
    s.cpu[i] += g.sum.cpuTime / 1000
  }
  return series
}

/** A small bar chart (inline SVG, one bar per minute) with its total. */
function chart(label, values, unit) {
  const NS = 'http://www.w3.org/2000/svg'
  const w = 180
  const h = 40
  const max = Math.max(1, ...values)
  const svg = document.createElementNS(NS, 'svg')
  svg.setAttribute('viewBox', '0 0 ' + w + ' ' + h)
  svg.setAttribute('width', String(w))
  svg.setAttribute('height', String(h))
  svg.setAttribute('role', 'img')
  svg.setAttribute('class', 'chart')
  const bw = w / values.length
  values.forEach((v, i) => {
    if (v <= 0) return
    const r = document.createElementNS(NS, 'rect')
    const bh = Math.max(1, (v / max) * h)
    r.setAttribute('x', String(i * bw))
    r.setAttribute('y', String(h - bh))
    r.setAttribute('width', String(Math.max(1, bw - 0.5)))
    r.setAttribute('height', String(bh))
    svg.append(r)
  })
  const total = values.reduce((a, b) => a + b, 0)
  const shown = unit === 'ms' ? total.toFixed(1) + ' ms' : String(total)
  svg.setAttribute('aria-label', label + ': ' + shown + ' in the last hour')
  return el('figure', { class: 'usage', 'data-metric': label, 'data-total': String(Math.round(total * 1000) / 1000) }, svg, el('figcaption', {}, label + ' ' + shown))
}

function usageRows(series, linkOf) {
  const rows = [...series.entries()].sort((a, b) => String(a[0]).localeCompare(String(b[0])))
  return table(['', 'requests', 'errors', 'CPU'], rows.map(([key, s]) => [linkOf(key), chart('requests', s.requests), chart('errors', s.errors), chart('CPU', s.cpu, 'ms')]),
    'No invocations in the last hour.')
}

async function usage() {
  const series = await usageSeries(null, (d) => d.dispatchNamespaceName)
  show('Usage', el('p', { class: 'muted' }, 'Per dispatch namespace, last hour, one bar a minute (GraphQL Analytics API).'),
    usageRows(series, (ns) => (ns === '' ? '(account Workers)' : link(ns, '/usage/' + enc(ns)))))
}

async function namespaceUsage(ns) {
  const series = await usageSeries({ dispatchNamespaceName: ns }, (d) => d.scriptName)
  show('Usage of ' + ns, el('p', { class: 'muted' }, 'Per script, last hour, one bar a minute. ', link('All namespaces', '/usage')),
    usageRows(series, (name) => link(name, scriptRoute(ns, name))))
}

async function kv() {
  const list = (await api(acct() + '/storage/kv/namespaces?per_page=100')).result
  show('KV namespaces', table(['title', 'id'], list.map((n) => [link(n.title, '/kv/' + enc(n.id)), n.id])))
}

async function kvKeys(id, query) {
  const prefix = query.get('prefix') || ''
  const cursor = query.get('cursor') || ''
  const ns = (await api(acct() + '/storage/kv/namespaces/' + enc(id))).result
  const page = await api(acct() + '/storage/kv/namespaces/' + enc(id) + '/keys?limit=100' + (prefix ? '&prefix=' + enc(prefix) : '') + (cursor ? '&cursor=' + enc(cursor) : ''))
  const input = el('input', { type: 'search', placeholder: 'Key prefix', value: prefix, 'aria-label': 'Key prefix' })
  const form = el('form', { class: 'actions' }, input, el('button', { type: 'submit' }, 'Filter'))
  form.addEventListener('submit', (e) => { e.preventDefault(); location.hash = '#/kv/' + enc(id) + (input.value ? '?prefix=' + enc(input.value) : '') })
  const next = page.result_info && page.result_info.cursor
  show('KV ' + ns.title, form,
    table(['key', 'expires', 'metadata'], page.result.map((k) => [link(k.name, '/kv/' + enc(id) + '/keys/' + enc(k.name)),
      k.expiration ? iso(k.expiration * 1000) : '', k.metadata === undefined ? '' : JSON.stringify(k.metadata)]), 'No keys' + (prefix ? ' with this prefix.' : '.')),
    next ? el('p', {}, link('Next page', '/kv/' + enc(id) + '?' + new URLSearchParams(Object.assign(prefix ? { prefix } : {}, { cursor: next })))) : null)
}

async function kvValue(id, key) {
  const path = acct() + '/storage/kv/namespaces/' + enc(id)
  const res = await fetch(API + path + '/values/' + enc(key), { headers: { authorization: 'Bearer ' + state.token } })
  if (!res.ok) throw new Error(res.status + ' ' + res.statusText + ' reading ' + key)
  const bytes = new Uint8Array(await res.arrayBuffer())
  const meta = await api(path + '/metadata/' + enc(key)).then((b) => b.result).catch(() => null)
  let shown
  try { shown = new TextDecoder('utf-8', { fatal: true }).decode(bytes) } catch { shown = '(' + bytes.length + ' bytes of binary data)' }
  show(key,
    el('p', {}, link('← keys', '/kv/' + enc(id)), ' · ' + bytes.length + ' bytes'),
    el('pre', { class: 'value' }, shown),
    meta === null || meta === undefined ? null : el('p', { class: 'muted' }, 'metadata: ' + JSON.stringify(meta)))
}

async function tokens() {
  const list = (await api('/user/tokens?per_page=50')).result
  show('API tokens', el('p', { class: 'muted' }, 'Rotating a token gives it a new value; the old one stops working at once.'),
    table(['name', 'status', 'id', 'expires', ''], list.map((t) => [t.name, t.status, t.id, text(t.expires_on),
      action('Rotate', async () => {
        const value = (await api('/user/tokens/' + enc(t.id) + '/value', { method: 'PUT' })).result
        await route()
        note('New value of ' + t.name + ' (shown once): ' + value)
        // Rotating the token this tab signed in with: keep working with its new value.
        if (state.tokenId === t.id) { state.token = value; sessionStorage.setItem('wh-token', value) }
      }, { stay: true, confirm: 'Rotate ' + t.name + '? Whoever uses its current value is locked out.' })])))
}

// --- routing -------------------------------------------------------------------------------------

const ROUTES = [
  [/^\/?$/, () => overview()],
  [/^\/edge$/, () => overview()],
  [/^\/namespaces$/, () => namespaces()],
  [/^\/namespaces\/([^/]+)$/, (m) => scripts(m[1])],
  [/^\/namespaces\/([^/]+)\/scripts\/([^/]+)$/, (m, q) => script(m[1], m[2], q)],
  [/^\/workers$/, () => scripts(null)],
  [/^\/workers\/([^/]+)$/, (m, q) => script(null, m[1], q)],
  [/^\/metrics$/, () => metrics()],
  [/^\/usage$/, () => usage()],
  [/^\/usage\/([^/]+)$/, (m) => namespaceUsage(m[1])],
  [/^\/kv$/, () => kv()],
  [/^\/kv\/([^/]+)$/, (m, q) => kvKeys(m[1], q)],
  [/^\/kv\/([^/]+)\/keys\/(.+)$/, (m) => kvValue(m[1], m[2])],
  [/^\/tokens$/, () => tokens()],
]

/** Renders the view the hash names; a view's errors are shown in place of it. */
async function route() {
  if (!state.account) return
  stopTail(null)
  const hash = location.hash.replace(/^#/, '')
  const [path, search] = hash.split('?')
  const query = new URLSearchParams(search || '')
  for (const [pattern, view] of ROUTES) {
    const m = pattern.exec(path)
    if (!m) continue
    const args = m.map((part, i) => (i === 0 ? part : decodeURIComponent(part)))
    try { await view(args, query) } catch (err) { show('Error', el('p', { class: 'error' }, String(err.message || err))) }
    return
  }
  show('Not found', el('p', {}, 'No page at ' + hash + '. '), link('Go to the edge overview', '/edge'))
}

function signIn(message) {
  const input = el('input', { type: 'password', placeholder: 'API token', autocomplete: 'off', 'aria-label': 'API token' })
  const form = el('form', { class: 'actions' }, input, el('button', { type: 'submit' }, 'Sign in'))
  form.addEventListener('submit', async (e) => {
    e.preventDefault()
    state.token = input.value.trim()
    await start()
  })
  document.getElementById('nav').replaceChildren()
  show('Sign in', el('p', {}, 'Paste an API token (npm start prints one as CLOUDFLARE_API_TOKEN).'), message ? el('p', { class: 'error' }, message) : null, form)
}

async function start() {
  if (!state.token) return signIn()
  try {
    const accounts = (await api('/accounts')).result
    if (!accounts || accounts.length === 0) throw new Error('This token sees no account.')
    state.account = accounts[0]
    // Which token this is, so rotating it keeps the tab signed in (global keys have none).
    state.tokenId = await api('/user/tokens/verify').then((b) => b.result.id).catch(() => null)
  } catch (err) {
    sessionStorage.removeItem('wh-token')
    state.account = null
    return signIn(String(err.message || err))
  }
  sessionStorage.setItem('wh-token', state.token)
  const nav = [['Edge', '/edge'], ['Namespaces', '/namespaces'], ['Account Workers', '/workers'], ['Metrics', '/metrics'], ['Usage', '/usage'], ['KV', '/kv'], ['Tokens', '/tokens']]
  const signOut = el('a', { href: '#/' }, 'Sign out')
  signOut.addEventListener('click', () => { sessionStorage.removeItem('wh-token'); state.token = ''; state.account = null; stopTail(null) ; setTimeout(signIn) })
  document.getElementById('nav').replaceChildren(
    ...nav.map(([label, path]) => link(label, path)),
    el('span', { class: 'muted' }, [state.account.name, state.account.id].filter(Boolean).join(' · ')),
    signOut)
  await route()
}

window.addEventListener('hashchange', () => void route())
start()
`
