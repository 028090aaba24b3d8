// The console's script, served as /console/app.js. Plain browser JavaScript (no build step, no
// dependencies) that talks only to the public v4 API with the operator's token. Everything shown
// is set as text, never as HTML: script names, log lines and tags come from tenants.
export const CONSOLE_JS = String.raw`
'use strict'
const API = '/client/v4'
const state = { token: sessionStorage.getItem('wh-token') || '', account: null }

function el(tag, attrs, ...children) {
  const node = document.createElement(tag)
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'onclick') node.addEventListener('click', v)
    else node.setAttribute(k, v)
  }
  for (const c of children.flat()) if (c !== null && c !== undefined) node.append(c instanceof Node ? c : String(c))
  return node
}

async function api(path) {
  const res = await fetch(API + path, { headers: { authorization: 'Bearer ' + state.token } })
  const body = await res.json().catch(() => null)
  if (!res.ok || !body || !body.success) {
    const why = body && body.errors && body.errors[0] ? body.errors[0].code + ': ' + body.errors[0].message : res.status + ' ' + res.statusText
    throw new Error(why)
  }
  return body
}

const main = () => document.getElementById('main')
const acct = () => '/accounts/' + encodeURIComponent(state.account.id)

function show(title, ...content) {
  main().replaceChildren(el('h2', {}, title), ...content)
}

function table(headers, rows, empty) {
  if (rows.length === 0) return el('p', { class: 'muted' }, empty || 'Nothing here yet.')
  return el('table', {}, el('thead', {}, el('tr', {}, headers.map((h) => el('th', {}, h)))),
    el('tbody', {}, rows.map((r) => el('tr', {}, r.map((c) => el('td', {}, c))))))
}

function link(text, go) {
  return el('a', { href: '#', onclick: (e) => { e.preventDefault(); go() } }, text)
}

async function guarded(render) {
  try { await render() } catch (err) { show('Error', el('p', { class: 'error' }, String(err.message || err))) }
}

async function overview() {
  const status = (await api('/workerhive/status')).result
  const procs = status.processes || []
  const sandbox = status.sandbox ? status.sandbox.kind + (status.sandbox.reason ? ' (' + status.sandbox.reason + ')' : '') : 'unknown'
  const watchdog = status.watchdog ? status.watchdog.kills + ' kills, ' + status.watchdog.recycles + ' recycles' : ''
  show('Edge',
    el('p', {}, 'Sandbox: ' + sandbox + (watchdog ? ' · watchdog: ' + watchdog : '')),
    table(['process', 'role', 'pid', 'state', 'restarts'], procs.map((p) => [p.index, p.role, p.pid || '', p.state, p.restarts]), 'The edge is not running.'),
    el('h3', {}, 'Contained scripts'),
    table(['script', 'status', 'reason', 'strikes', 'until'], (status.containment || []).map((c) => [c.key, c.status, c.reason || '', c.strikes, c.until ? new Date(c.until).toISOString() : '']), 'No script is on probation or refused.'))
}

async function namespaces() {
  const list = (await api(acct() + '/workers/dispatch/namespaces')).result
  show('Dispatch namespaces', table(['name', 'scripts', 'trusted', 'created'],
    list.map((n) => [link(n.namespace_name, () => guarded(() => scripts(n.namespace_name))), n.script_count, n.trusted_workers ? 'yes' : 'no', n.created_on])))
}

async function scripts(ns) {
  const base = ns === null ? acct() + '/workers/scripts' : acct() + '/workers/dispatch/namespaces/' + encodeURIComponent(ns) + '/scripts'
  // Namespace listings wrap each script ({script, dispatch_namespace, …}); account listings do not.
  const list = (await api(base)).result.map((item) => item.script || item)
  show(ns === null ? 'Account Workers' : 'Namespace ' + ns, table(['script', 'tags', 'assets', 'modified'],
    list.map((s) => [link(s.id, () => guarded(() => script(ns, s.id))), (s.tags || []).join(', '), s.has_assets ? 'yes' : 'no', s.modified_on])))
}

async function script(ns, name) {
  const base = ns === null ? acct() + '/workers/scripts/' : acct() + '/workers/dispatch/namespaces/' + encodeURIComponent(ns) + '/scripts/'
  const settings = (await api(base + encodeURIComponent(name) + '/settings')).result
  const q = '?script=' + encodeURIComponent(name) + (ns === null ? '' : '&namespace=' + encodeURIComponent(ns))
  const logs = (await api(acct() + '/workerhive/logs' + q)).result
  show(name,
    el('p', { class: 'muted' }, 'compatibility date ' + settings.compatibility_date + (ns === null ? '' : ' · namespace ' + ns)),
    el('h3', {}, 'Bindings'),
    table(['name', 'type'], (settings.bindings || []).map((b) => [b.name, b.type]), 'No bindings.'),
    el('h3', {}, 'Recent invocations'),
    table(['time', 'ray', 'request', 'outcome', 'console', 'exceptions'], logs.slice().reverse().map((e) => [
      e.eventTimestamp ? new Date(e.eventTimestamp).toISOString() : '',
      e.rayId || '',
      e.event && e.event.request ? (e.event.request.method || '') + ' ' + (e.event.request.url || '') : '',
      e.outcome || '',
      (e.logs || []).map((l) => l.level + ': ' + [].concat(l.message ?? []).map(String).join(' ')).join('\n'),
      (e.exceptions || []).map((x) => (x.name || 'Error') + ': ' + (x.message || '')).join('\n'),
    ]), 'No invocations recorded. Logs are kept while Workers Logs (observability) is on or a tail is open.'))
}

async function metrics() {
  const rows = (await api(acct() + '/workerhive/metrics')).result
  show('Metrics', table(['namespace', 'script', 'invocations', 'exceptions', 'outcomes', 'last seen'],
    rows.map((m) => [m.dispatch_namespace || '(account)', m.script, m.invocations, m.exceptions,
      Object.entries(m.outcomes || {}).map(([k, v]) => k + ' ' + v).join(', '), m.last_seen || ''])))
}

async function kv() {
  const list = (await api(acct() + '/storage/kv/namespaces?per_page=100')).result
  show('KV namespaces', table(['title', 'id'], list.map((n) => [n.title, n.id])))
}

function signIn(message) {
  const input = el('input', { type: 'password', placeholder: 'API token', autocomplete: 'off', size: '48' })
  const form = el('form', {}, input, el('button', { type: 'submit' }, 'Sign in'))
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
  } catch (err) {
    sessionStorage.removeItem('wh-token')
    return signIn(String(err.message || err))
  }
  sessionStorage.setItem('wh-token', state.token)
  const nav = [
    ['Edge', overview], ['Namespaces', namespaces], ['Account Workers', () => scripts(null)], ['Metrics', metrics], ['KV', kv],
  ]
  document.getElementById('nav').replaceChildren(
    ...nav.map(([label, view]) => link(label, () => guarded(view))),
    el('span', { class: 'muted' }, state.account.name + ' · ' + state.account.id),
    link('Sign out', () => { sessionStorage.removeItem('wh-token'); state.token = ''; signIn() }))
  await guarded(overview)
}

start()
`
