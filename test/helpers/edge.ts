import { request } from 'undici'
import type { TestPlatform } from './platform.js'

export interface EdgeResponse {
  status: number
  headers: Record<string, string | string[] | undefined>
  text: string
}

/** Sends a request to the edge with a Host header (fetch() cannot set one). */
export async function edge(
  t: TestPlatform,
  host: string,
  path = '/',
  init: { method?: 'GET' | 'POST' | 'PUT'; body?: string; headers?: Record<string, string> } = {},
): Promise<EdgeResponse> {
  const res = await request(`http://127.0.0.1:${t.platform.edgePort}${path}`, {
    method: init.method ?? 'GET',
    headers: { ...init.headers, host },
    ...(init.body !== undefined ? { body: init.body } : {}),
    headersTimeout: 20_000,
    bodyTimeout: 20_000,
  })
  return { status: res.statusCode, headers: res.headers, text: await res.body.text() }
}

/** The default hostname of an account-level script: `<script>.<subdomain>.localhost`. */
export async function defaultHost(t: TestPlatform, script: string): Promise<string> {
  const account = await t.platform.store.accounts.get(t.accountId)
  return `${script}.${account!.subdomain}.localhost`
}

export interface ModuleFile {
  name: string
  content: string
  type?: string
}

function uploadForm(metadata: Record<string, unknown>, modules: ModuleFile[]): FormData {
  const form = new FormData()
  form.set('metadata', JSON.stringify(metadata))
  for (const m of modules) {
    form.set(m.name, new Blob([m.content], { type: m.type ?? 'application/javascript+module' }), m.name)
  }
  return form
}

/** Uploads an ES-module Worker through the API, as wrangler's multipart upload does. */
export async function putScript(
  t: TestPlatform,
  path: string,
  code: string,
  metadata: Record<string, unknown> = {},
  extraModules: ModuleFile[] = [],
  token?: string,
): Promise<{ status: number; body: any }> {
  const form = uploadForm(
    { main_module: 'index.js', compatibility_date: '2026-01-01', ...metadata },
    [{ name: 'index.js', content: code }, ...extraModules],
  )
  return t.json(path, { method: 'PUT', body: form, ...(token ? { token } : {}) })
}

export const accountScriptPath = (t: TestPlatform, name: string): string => `/accounts/${t.accountId}/workers/scripts/${name}`

export const namespaceScriptPath = (t: TestPlatform, ns: string, name: string): string =>
  `/accounts/${t.accountId}/workers/dispatch/namespaces/${ns}/scripts/${name}`

export async function createNamespace(t: TestPlatform, name: string): Promise<void> {
  const res = await t.json(`/accounts/${t.accountId}/workers/dispatch/namespaces`, {
    method: 'POST',
    body: JSON.stringify({ name }),
    headers: { 'content-type': 'application/json' },
  })
  if (res.status !== 200) throw new Error(`creating namespace ${name}: ${JSON.stringify(res.body)}`)
}

/** A dispatch Worker that sends `/<script>/...` to that user Worker and reports dispatch errors. */
export const DISPATCHER = `
export default {
  async fetch(request, env) {
    const url = new URL(request.url)
    const name = url.pathname.split('/')[1]
    const limits = url.searchParams.get('subrequests')
    try {
      const options = limits ? { limits: { subRequests: Number(limits) } } : {}
      return await env.dispatcher.get(name, {}, options).fetch(request)
    } catch (e) {
      if (e.message.startsWith('Worker not found')) return new Response('no such worker: ' + name, { status: 404 })
      return new Response('dispatch failed: ' + e.message, { status: 502 })
    }
  },
}
`

/** Deploys DISPATCHER (or `code`) as the account script `dispatcher` bound to namespace `ns`. */
export async function deployDispatcher(t: TestPlatform, ns: string, code = DISPATCHER, extraBindings: unknown[] = []): Promise<string> {
  const res = await putScript(t, accountScriptPath(t, 'dispatcher'), code, {
    bindings: [{ type: 'dispatch_namespace', name: 'dispatcher', namespace: ns }, ...extraBindings],
  })
  if (res.status !== 200) throw new Error(`deploying the dispatcher: ${JSON.stringify(res.body)}`)
  return defaultHost(t, 'dispatcher')
}
