import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { KvNamespaceId } from '../../src/domain/ids.js'
import { jsonBody, startTestPlatform, type TestPlatform } from '../helpers/platform.js'

const MAX_SCRIPT_BYTES = 64 * 1024
const ESM = 'export default { async fetch() { return new Response("v1") } }'
const SW = "addEventListener('fetch', (e) => e.respondWith(new Response('sw')))"

type Parts = Record<string, string | File>

const esmFile = (code: string, name: string) => new File([code], name, { type: 'application/javascript+module' })
const javascript = (body: string): RequestInit => ({ body, headers: { 'content-type': 'application/javascript' } })
const withBindings = (...bindings: unknown[]) => ({ main_module: 'worker.js', bindings })
type ScriptList = { body: { result: Array<{ script: { id: string } }> } }
const scriptIds = (res: ScriptList): string[] => res.body.result.map((s) => s.script.id)

/** A multipart upload the way wrangler sends it: metadata without filename, modules with one. */
function uploadBody(metadata: unknown, parts: Parts = { 'worker.js': ESM }): RequestInit {
  const form = new FormData()
  form.append('metadata', typeof metadata === 'string' ? metadata : JSON.stringify(metadata))
  for (const [name, part] of Object.entries(parts)) {
    form.append(name, typeof part === 'string' ? esmFile(part, name) : part)
  }
  return { method: 'PUT', body: form }
}

describe('namespace scripts API', () => {
  let t: TestPlatform
  let ns: string
  let kvId: KvNamespaceId
  const script = (name: string, rest = '') => `${ns}/scripts/${name}${rest}`

  const upload = (name: string, metadata: unknown, parts?: Parts, query = '') =>
    t.json(script(name) + query, uploadBody(metadata, parts))

  /** The code GET .../content answers, and the current version's etag: what a rejected change must leave. */
  const snapshot = async (name: string) => {
    const content = await (await t.api(script(name, '/content'))).text()
    const details = await t.json(script(name))
    const bindings = await t.json(script(name, '/bindings'))
    const { etag, tags } = details.body.result.script
    return { content, etag, tags, bindings: bindings.body.result }
  }

  const createNamespace = (name: string, accountId = t.accountId, token?: string) =>
    t.json(`/accounts/${accountId}/workers/dispatch/namespaces`, { method: 'POST', token, ...jsonBody({ name }) })

  before(async () => {
    t = await startTestPlatform({ maxScriptBytes: MAX_SCRIPT_BYTES })
    ns = `/accounts/${t.accountId}/workers/dispatch/namespaces/production`
    await createNamespace('production')
    await createNamespace('staging')
    kvId = (await t.platform.store.kv.createNamespace(t.accountId, 'users')).id
  })
  after(() => t.close())

  it('uploads a raw service worker and serves it back', async () => {
    const res = await t.json(script('sw'), { method: 'PUT', ...javascript(SW) })
    assert.equal(res.status, 200, JSON.stringify(res.body))
    const r = res.body.result
    assert.equal(r.id, 'sw')
    assert.match(r.tag, /^[0-9a-f-]{36}$/)
    assert.match(r.etag, /^[0-9a-f]{64}$/)
    assert.match(r.deployment_id, /^[0-9a-f-]{36}$/)
    assert.ok(Number.isInteger(r.startup_time_ms) && r.startup_time_ms >= 0)
    assert.equal(r.has_modules, false)
    assert.equal(r.entry_point, 'worker.js')
    assert.equal(r.compatibility_date, '2021-11-02')
    assert.deepEqual(r.handlers, ['fetch'])
    assert.deepEqual(r.named_handlers, [])
    assert.equal(r.last_deployed_from, 'api')
    assert.equal(r.has_assets, false)
    assert.equal(r.usage_model, 'standard')
    assert.equal(r.logpush, false)
    assert.deepEqual(r.tags, [])

    const content = await t.api(script('sw', '/content'))
    assert.equal(content.status, 200)
    assert.equal(content.headers.get('content-type'), 'application/javascript')
    assert.equal(await content.text(), SW)

    const details = await t.json(script('sw'))
    assert.equal(details.body.result.dispatch_namespace, 'production')
    assert.equal(details.body.result.script.id, 'sw')
    assert.equal(details.body.result.script.etag, r.etag)
    assert.equal(typeof details.body.result.created_on, 'string')
  })

  it('uploads modules with bindings, tags and settings from the metadata', async () => {
    const res = await upload(
      'modules',
      {
        main_module: 'worker.js',
        compatibility_date: '2025-01-24',
        compatibility_flags: ['nodejs_compat'],
        bindings: [
          { type: 'kv_namespace', name: 'KV', namespace_id: kvId },
          { type: 'plain_text', name: 'GREETING', text: 'hello' },
          { type: 'secret_text', name: 'TOKEN', text: 'hunter2' },
          { type: 'dispatch_namespace', name: 'STAGING', namespace: 'staging' },
          { type: 'text_blob', name: 'README', part: 'readme.txt' },
        ],
        tags: ['customer-1', 'pro'],
        logpush: true,
        limits: { cpu_ms: 50 },
        some_future_field: { ignored: true },
      },
      {
        'worker.js': [
          'import lib from "./lib.js"',
          'export default { fetch() { return new Response(lib) }, scheduled() {} }',
        ].join('\n'),
        'lib.js': 'export default "lib"',
        'readme.txt': new File(['read me'], 'readme.txt', { type: 'text/plain' }),
      },
    )
    assert.equal(res.status, 200, JSON.stringify(res.body))
    const r = res.body.result
    assert.equal(r.has_modules, true)
    assert.equal(r.entry_point, 'worker.js')
    assert.deepEqual(r.handlers, ['fetch', 'scheduled'])
    assert.equal(r.compatibility_date, '2025-01-24')
    assert.deepEqual(r.compatibility_flags, ['nodejs_compat'])
    assert.deepEqual(r.tags, ['customer-1', 'pro'])
    assert.equal(r.logpush, true)
    assert.ok(!JSON.stringify(res.body).includes('hunter2'), 'the secret never comes back')

    const bindings = await t.json(script('modules', '/bindings'))
    assert.deepEqual(bindings.body.result, [
      { type: 'kv_namespace', name: 'KV', namespace_id: kvId },
      { type: 'plain_text', name: 'GREETING', text: 'hello' },
      { type: 'secret_text', name: 'TOKEN' },
      { type: 'dispatch_namespace', name: 'STAGING', namespace: 'staging' },
      { type: 'text_blob', name: 'README', part: 'readme.txt' },
    ])

    // Several modules download as multipart, one part per module, as uploaded.
    const content = await t.api(script('modules', '/content'))
    assert.match(content.headers.get('content-type')!, /^multipart\/form-data; boundary=/)
    assert.equal(content.headers.get('cf-entrypoint'), 'worker.js')
    const form = await content.formData()
    assert.deepEqual([...form.keys()], ['worker.js', 'lib.js', 'readme.txt'])
    assert.equal(await (form.get('lib.js') as File).text(), 'export default "lib"')
    assert.equal((form.get('readme.txt') as File).type, 'text/plain')

    const settings = await t.json(script('modules', '/settings'))
    assert.equal(settings.body.result.logpush, true)
    assert.deepEqual(settings.body.result.limits, { cpu_ms: 50 })
    assert.deepEqual(settings.body.result.tags, ['customer-1', 'pro'])
    assert.equal(settings.body.result.compatibility_date, '2025-01-24')
  })

  it('a re-upload keeps secrets unless redefined, keep_bindings types, and resolves inherit', async () => {
    await upload('redeploy', {
      main_module: 'worker.js',
      bindings: [
        { type: 'secret_text', name: 'KEEP', text: 'a' },
        { type: 'secret_text', name: 'REPLACED', text: 'b' },
        { type: 'plain_text', name: 'VAR', text: 'old' },
        { type: 'plain_text', name: 'DROPPED', text: 'x' },
        { type: 'kv_namespace', name: 'KV', namespace_id: kvId },
      ],
      tags: ['keep-me'],
    })
    const res = await upload('redeploy', {
      main_module: 'worker.js',
      bindings: [
        { type: 'plain_text', name: 'REPLACED', text: 'now plain' },
        { type: 'inherit', name: 'STORE', old_name: 'KV' },
      ],
      keep_bindings: ['plain_text'],
    })
    assert.equal(res.status, 200, JSON.stringify(res.body))
    assert.deepEqual(res.body.result.tags, ['keep-me'], 'metadata without tags keeps them')
    const bindings = await t.json(script('redeploy', '/bindings'))
    assert.deepEqual(bindings.body.result, [
      { type: 'plain_text', name: 'REPLACED', text: 'now plain' },
      { type: 'kv_namespace', name: 'STORE', namespace_id: kvId },
      { type: 'secret_text', name: 'KEEP' },
      { type: 'plain_text', name: 'VAR', text: 'old' },
      { type: 'plain_text', name: 'DROPPED', text: 'x' },
    ])

    // Without strict, an inherit with nothing to inherit is dropped.
    const lenient = await upload('redeploy', withBindings({ type: 'inherit', name: 'NOPE' }))
    assert.equal(lenient.status, 200)
    const left = await t.json(script('redeploy', '/bindings'))
    assert.deepEqual(left.body.result, [{ type: 'secret_text', name: 'KEEP' }])
  })

  it('bindings_inherit=strict refuses unresolvable inherits with one 10057 error per binding', async () => {
    await upload('strict', withBindings({ type: 'plain_text', name: 'HAS', text: 'x' }))
    const before = await snapshot('strict')
    const res = await upload(
      'strict',
      withBindings({ type: 'inherit', name: 'HAS' }, { type: 'inherit', name: 'A' }, { type: 'inherit', name: 'B' }),
      { 'worker.js': 'export default { fetch() { return new Response("v2") } }' },
      '?bindings_inherit=strict&excludeScript=true',
    )
    assert.equal(res.status, 400)
    assert.deepEqual(res.body.errors.map((e: { code: number }) => e.code), [10057, 10057])
    assert.match(res.body.errors[0].message, /inherit binding 'A' is invalid/)
    assert.match(res.body.errors[1].message, /inherit binding 'B' is invalid/)
    assert.deepEqual(await snapshot('strict'), before)
  })

  it('replaces only the code with PUT .../content, keeping bindings and settings', async () => {
    await upload('content', {
      main_module: 'worker.js',
      compatibility_date: '2024-06-01',
      bindings: [{ type: 'plain_text', name: 'VAR', text: 'x' }],
      tags: ['t'],
    })
    const form = new FormData()
    form.append('metadata', JSON.stringify({ main_module: 'index.js' }))
    const v2 = 'export default { fetch() { return new Response("v2") } }'
    form.append('index.js', esmFile(v2, 'index.js'))
    const res = await t.json(script('content', '/content'), { method: 'PUT', body: form })
    assert.equal(res.status, 200, JSON.stringify(res.body))
    assert.equal(res.body.result.entry_point, 'index.js')
    assert.equal(res.body.result.compatibility_date, '2024-06-01')
    assert.deepEqual(res.body.result.tags, ['t'])
    assert.equal(await (await t.api(script('content', '/content'))).text(), v2)
    const bindings = await t.json(script('content', '/bindings'))
    assert.deepEqual(bindings.body.result, [{ type: 'plain_text', name: 'VAR', text: 'x' }])

    // The main part can be named by header instead of metadata.
    const byHeader = new FormData()
    byHeader.append('sw.js', new File([SW], 'sw.js', { type: 'application/javascript' }))
    const sw = await t.json(script('content', '/content'), {
      method: 'PUT',
      body: byHeader,
      headers: { 'CF-WORKER-BODY-PART': 'sw.js' },
    })
    assert.equal(sw.status, 200, JSON.stringify(sw.body))
    assert.equal(sw.body.result.has_modules, false)
    assert.equal(await (await t.api(script('content', '/content'))).text(), SW)
  })

  it('changes settings by a multipart settings part or JSON; bindings and dates make a version', async () => {
    await upload('settings', withBindings({ type: 'secret_text', name: 'S', text: 'x' }))
    const { etag } = await snapshot('settings')

    const form = new FormData()
    const settings = { logpush: true, tags: ['a', 'b'], observability: { enabled: true } }
    form.append('settings', new File([JSON.stringify(settings)], 'settings.json', { type: 'application/json' }))
    const patched = await t.json(script('settings', '/settings'), { method: 'PATCH', body: form })
    assert.equal(patched.status, 200, JSON.stringify(patched.body))
    assert.equal(patched.body.result.logpush, true)
    assert.deepEqual(patched.body.result.tags, ['a', 'b'])
    assert.deepEqual(patched.body.result.observability, { enabled: true })
    assert.equal((await snapshot('settings')).etag, etag, 'settings alone make no new version')

    const json = await t.json(script('settings', '/settings'), {
      method: 'PATCH',
      ...jsonBody({
        compatibility_date: '2025-02-02',
        bindings: [{ type: 'plain_text', name: 'P', text: 'p' }],
        usage_model: 'standard',
      }),
    })
    assert.equal(json.status, 200, JSON.stringify(json.body))
    assert.equal(json.body.result.compatibility_date, '2025-02-02')
    assert.deepEqual(json.body.result.bindings, [
      { type: 'plain_text', name: 'P', text: 'p' },
      { type: 'secret_text', name: 'S' },
    ])
    assert.notEqual((await snapshot('settings')).etag, etag)
    assert.equal((await snapshot('settings')).content, ESM, 'the code stays')
  })

  it('lists scripts with a tag filter and cursor pages ending in an empty cursor', async () => {
    await createNamespace('listing')
    const base = `/accounts/${t.accountId}/workers/dispatch/namespaces/listing/scripts`
    const tagged = [['a', ['x']], ['b', ['x', 'y']], ['c', []], ['d', ['y']], ['e', ['x']]] as const
    for (const [name, tags] of tagged) {
      const res = await t.json(`${base}/${name}`, uploadBody({ main_module: 'worker.js', tags }))
      assert.equal(res.status, 200)
    }
    const names: string[] = []
    let cursor = ''
    let pages = 0
    do {
      const page = await t.json(`${base}?limit=2${cursor ? `&cursor=${cursor}` : ''}`)
      assert.equal(page.status, 200)
      names.push(...scriptIds(page))
      assert.equal(page.body.result_info.count, page.body.result.length)
      cursor = page.body.result_info.cursor
      pages++
    } while (cursor !== '')
    assert.deepEqual(names, ['a', 'b', 'c', 'd', 'e'])
    assert.equal(pages, 3)

    const filtered = await t.json(`${base}?tags=x:yes,y:no`)
    assert.deepEqual(scriptIds(filtered), ['a', 'e'])
    assert.equal(filtered.body.result[0].dispatch_namespace, 'listing')
    assert.equal(filtered.body.result_info.cursor, '')

    const bad = await t.json(`${base}?tags=x:maybe`)
    assert.equal(bad.status, 400)
    assert.equal(bad.body.errors[0].code, 10021)
  })

  it('deletes scripts by tag, and refuses a bulk delete without a filter', async () => {
    await createNamespace('bulk')
    const base = `/accounts/${t.accountId}/workers/dispatch/namespaces/bulk/scripts`
    for (const [name, tags] of [['one', ['gone']], ['two', ['gone', 'vip']], ['three', []]] as const) {
      await t.json(`${base}/${name}`, uploadBody({ main_module: 'worker.js', tags }))
    }
    for (const query of ['', '?tags=', '?limit=5']) {
      const refused = await t.json(`${base}${query}`, { method: 'DELETE' })
      assert.equal(refused.status, 400, query)
      assert.equal(refused.body.errors[0].code, 10021)
      assert.match(refused.body.errors[0].message, /needs a filter/)
    }
    assert.equal((await t.json(base)).body.result.length, 3, 'nothing was deleted')

    const res = await t.json(`${base}?tags=gone:yes,vip:no`, { method: 'DELETE' })
    assert.equal(res.status, 200)
    assert.deepEqual(res.body.result, { deleted: [{ id: 'one' }], deleted_count: 1, has_more: false })
    assert.deepEqual(scriptIds(await t.json(base)), ['three', 'two'])
  })

  it('deletes one script; missing scripts answer 10092 and missing namespaces 10007', async () => {
    await upload('doomed', { main_module: 'worker.js' })
    const res = await t.json(script('doomed') + '?force=true', { method: 'DELETE' })
    assert.equal(res.status, 200)
    assert.equal(res.body.result, null)
    for (const [path, method] of [
      [script('doomed'), 'GET'],
      [script('doomed'), 'DELETE'],
      [script('doomed', '/content'), 'GET'],
      [script('doomed', '/settings'), 'GET'],
      [script('doomed', '/bindings'), 'GET'],
    ] as const) {
      const gone = await t.json(path, { method })
      assert.equal(gone.status, 404, `${method} ${path}`)
      assert.equal(gone.body.errors[0].code, 10092)
      assert.match(gone.body.errors[0].message, /'doomed' not found in dispatch namespace 'production'/)
    }
    const nowhere = `/accounts/${t.accountId}/workers/dispatch/namespaces/nope/scripts/x`
    const noNs = await t.json(nowhere)
    assert.equal(noNs.status, 404)
    assert.equal(noNs.body.errors[0].code, 10007)
    const noNsUpload = await t.json(nowhere, uploadBody({ main_module: 'worker.js' }))
    assert.equal(noNsUpload.body.errors[0].code, 10007)
  })

  it('keeps other accounts out', async () => {
    await upload('private', { main_module: 'worker.js' })
    const other = await t.otherAccount()
    const foreign = await t.json(script('private'), { token: other.token })
    assert.equal(foreign.status, 403)
    // Their own namespace cannot bind our KV namespace.
    await createNamespace('theirs', other.accountId, other.token)
    const theirs = await t.json(`/accounts/${other.accountId}/workers/dispatch/namespaces/theirs/scripts/x`, {
      ...uploadBody(withBindings({ type: 'kv_namespace', name: 'KV', namespace_id: kvId })),
      token: other.token,
    })
    assert.equal(theirs.status, 400)
    assert.equal(theirs.body.errors[0].code, 10021)
    const message = `KV namespace '${kvId}' of binding 'KV' does not exist in this account`
    assert.equal(theirs.body.errors[0].message, message)
  })

  describe('bad uploads change nothing', () => {
    const NAME = 'guarded'
    let original: Awaited<ReturnType<typeof snapshot>>
    const reupload = (metadata: unknown, parts?: Parts) => upload(NAME, metadata, parts)
    const patchSettings = (init: RequestInit) => t.json(script(NAME, '/settings'), { method: 'PATCH', ...init })
    const v2 = { 'worker.js': 'export default { fetch() { return new Response("v2") } }' }

    const cases: Array<{
      what: string
      send: () => ReturnType<TestPlatform['json']>
      status: number
      code: number
      message: RegExp
    }> = [
      {
        what: 'a module with a syntax error',
        send: () => {
          const broken = 'export default {\n  fetch() {\n    return new Response(\n  }\n}'
          return reupload({ main_module: 'worker.js' }, { 'worker.js': broken })
        },
        status: 400, code: 10021, message: /^Uncaught SyntaxError: Unexpected token \(4:2\) in worker\.js$/,
      },
      {
        what: 'a syntax error in a second module',
        send: () => reupload({ main_module: 'worker.js' }, { 'worker.js': ESM, 'lib.js': 'export const = 1' }),
        status: 400, code: 10021, message: /SyntaxError: .* \(1:13\) in lib\.js/,
      },
      {
        what: 'a raw service worker with a syntax error',
        send: () => t.json(script(NAME), { method: 'PUT', ...javascript("addEventListener('fetch', e => {") }),
        status: 400, code: 10021, message: /SyntaxError: .* in worker\.js/,
      },
      {
        what: 'a main module that was not uploaded',
        send: () => reupload({ main_module: 'index.js' }, v2),
        status: 400, code: 10021, message: /No such module "index\.js"/,
      },
      {
        what: 'no main module at all',
        send: () => reupload({ bindings: [] }, v2),
        status: 400, code: 10021, message: /No main module/,
      },
      {
        what: 'duplicate binding names',
        send: () =>
          reupload(
            withBindings({ type: 'plain_text', name: 'A', text: '1' }, { type: 'plain_text', name: 'A', text: '2' }),
            v2,
          ),
        status: 400, code: 10021, message: /Duplicate binding name 'A'/,
      },
      {
        what: 'an invalid binding name',
        send: () => reupload(withBindings({ type: 'plain_text', name: 'not-valid', text: '1' }), v2),
        status: 400, code: 10021, message: /Binding name 'not-valid' is invalid/,
      },
      {
        what: 'a binding of unknown type',
        send: () => reupload(withBindings({ type: 'quantum_link', name: 'Q' }), v2),
        status: 400, code: 10021, message: /Unknown binding type 'quantum_link' \(binding 'Q'\)/,
      },
      {
        what: 'a binding missing a field',
        send: () => reupload(withBindings({ type: 'service', name: 'S' }), v2),
        status: 400, code: 10021, message: /binding 'S' of type service: service/,
      },
      {
        what: 'a KV namespace that does not exist',
        send: () => reupload(withBindings({ type: 'kv_namespace', name: 'KV', namespace_id: 'f'.repeat(32) }), v2),
        status: 400, code: 10021, message: /KV namespace 'f{32}' of binding 'KV' does not exist/,
      },
      {
        what: 'a dispatch namespace that does not exist',
        send: () => reupload(withBindings({ type: 'dispatch_namespace', name: 'D', namespace: 'ghost' }), v2),
        status: 400, code: 10021, message: /dispatch namespace 'ghost' of binding 'D' does not exist/,
      },
      {
        what: 'a wasm_module binding whose part is missing',
        send: () => reupload(withBindings({ type: 'wasm_module', name: 'W', part: 'w.wasm' }), v2),
        status: 400, code: 10021, message: /names part 'w\.wasm', which is not in the upload/,
      },
      {
        what: 'nine tags',
        send: () => reupload({ main_module: 'worker.js', tags: '123456789'.split('') }, v2),
        status: 400, code: 10021, message: /at most 8 tags/,
      },
      {
        what: 'a tag with a comma',
        send: () => reupload({ main_module: 'worker.js', tags: ['a,b'] }, v2),
        status: 400, code: 10021, message: /contains ',' or '&'/,
      },
      {
        what: 'an invalid compatibility date',
        send: () => reupload({ main_module: 'worker.js', compatibility_date: '24-01-01' }, v2),
        status: 400, code: 10021, message: /metadata\.compatibility_date: .* must be a date as YYYY-MM-DD/,
      },
      {
        what: 'more environment variables than Cloudflare allows',
        send: () =>
          reupload(
            { main_module: 'worker.js', bindings: Array.from({ length: 129 }, (_, i) => ({ type: 'plain_text', name: `V${i}`, text: 'x' })) },
            v2,
          ),
        status: 400, code: 10021, message: /at most 128 environment variables and secrets; this version has 1[23][0-9]/,
      },
      {
        what: 'an environment variable over 5 KB',
        send: () => reupload({ main_module: 'worker.js', bindings: [{ type: 'plain_text', name: 'BIG', text: 'x'.repeat(5121) }] }, v2),
        status: 400, code: 10021, message: /Binding 'BIG' is 5121 bytes/,
      },
      {
        what: 'a compatibility date in the future',
        send: () => reupload({ main_module: 'worker.js', compatibility_date: '2999-01-01' }, v2),
        status: 400, code: 10021, message: /Can't set compatibility date in the future: "2999-01-01"/,
      },
      {
        what: 'metadata that is not JSON',
        send: () => reupload('{"main_module": "worker.js",', v2),
        status: 400, code: 10026, message: /metadata part is not valid JSON/,
      },
      {
        what: 'a multipart body that does not parse',
        send: () =>
          t.json(script(NAME), {
            method: 'PUT',
            body: '--zzz\r\nContent-Disposition: form-data\r\n\r\n',
            headers: { 'content-type': 'multipart/form-data; boundary=zzz' },
          }),
        status: 400, code: 10026, message: /multipart\/form-data body could not be parsed/,
      },
      {
        what: 'an unsupported content type',
        send: () => t.json(script(NAME), { method: 'PUT', ...jsonBody({ main_module: 'worker.js' }) }),
        status: 400, code: 10026, message: /unsupported Content-Type 'application\/json'/,
      },
      {
        what: 'a raw script over the size limit',
        send: () => t.json(script(NAME), { method: 'PUT', ...javascript(`// ${'x'.repeat(MAX_SCRIPT_BYTES)}`) }),
        status: 413, code: 10027, message: /exceeded the size limit of 65536 bytes/,
      },
      {
        what: 'modules over the size limit together',
        send: () => {
          const big = new File(['x'.repeat(MAX_SCRIPT_BYTES)], 'big.txt', { type: 'text/plain' })
          return reupload({ main_module: 'worker.js' }, { 'worker.js': ESM, 'big.txt': big })
        },
        status: 413, code: 10027, message: /exceeded the size limit of 65536 bytes/,
      },
      {
        what: 'a content PUT with a syntax error',
        send: () => {
          const form = new FormData()
          form.append('metadata', JSON.stringify({ main_module: 'worker.js' }))
          form.append('worker.js', esmFile('export default {', 'worker.js'))
          return t.json(script(NAME, '/content'), { method: 'PUT', body: form })
        },
        status: 400, code: 10021, message: /SyntaxError: .* in worker\.js/,
      },
      {
        what: 'a settings change with an unknown binding type',
        send: () => patchSettings(jsonBody({ bindings: [{ type: 'nope', name: 'N' }], logpush: true })),
        status: 400, code: 10021, message: /Unknown binding type 'nope'/,
      },
      {
        what: 'a settings change with ten tags',
        send: () => patchSettings(jsonBody({ tags: 'abcdefghij'.split(''), logpush: true })),
        status: 400, code: 10021, message: /at most 8 tags/,
      },
      {
        what: 'a settings change to a compatibility date in the future',
        send: () => patchSettings(jsonBody({ compatibility_date: '2999-01-01', logpush: true })),
        status: 400, code: 10021, message: /Can't set compatibility date in the future/,
      },
      {
        what: 'a settings body that is not JSON',
        send: () => patchSettings({ body: '{', headers: { 'content-type': 'application/json' } }),
        status: 400, code: 10026, message: /not valid JSON/,
      },
      {
        what: 'a settings multipart body without a settings part',
        send: () => {
          const form = new FormData()
          form.append('other', '{}')
          return patchSettings({ body: form })
        },
        status: 400, code: 10026, message: /no 'settings' part/,
      },
    ]

    before(async () => {
      const res = await upload(NAME, {
        main_module: 'worker.js',
        bindings: [
          { type: 'plain_text', name: 'V', text: '1' },
          { type: 'secret_text', name: 'S', text: 's' },
        ],
        tags: ['original'],
      })
      assert.equal(res.status, 200)
      original = await snapshot(NAME)
    })

    for (const c of cases) {
      it(`refuses ${c.what}`, async () => {
        const res = await c.send()
        assert.equal(res.status, c.status, JSON.stringify(res.body))
        assert.equal(res.body.success, false)
        assert.equal(res.body.errors[0].code, c.code)
        assert.match(res.body.errors[0].message, c.message)
        assert.deepEqual(await snapshot(NAME), original, "the previous version is still current")
        const settings = await t.json(script(NAME, '/settings'))
        assert.equal(settings.body.result.logpush, false)
      })
    }

    it('refuses invalid script names with 10016', async () => {
      for (const name of ['a..b', 'x%01y', ' lead', 'n'.repeat(256), 'a%2Fb']) {
        const res = await t.json(script(name), uploadBody({ main_module: 'worker.js' }))
        assert.equal(res.status, 400, name)
        assert.equal(res.body.errors[0].code, 10016)
        assert.match(res.body.errors[0].message, /^Invalid Worker name: /)
      }
      const list = await t.json(`${ns}/scripts`)
      assert.ok(list.body.result.every((s: { script: { id: string } }) => !s.script.id.includes('..')))
    })
  })
})
