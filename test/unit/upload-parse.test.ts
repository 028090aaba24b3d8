import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ApiError } from '../../src/domain/errors.js'
import { parseTagList } from '../../src/api/routes/script-tags.js'
import { parseScriptUpload, type ScriptUpload } from '../../src/api/upload/parse.js'

const MAX = 64 * 1024
const esm = 'export default { async fetch() { return new Response("hi") } }'

const multipart = (form: FormData, headers: Record<string, string> = {}): Request =>
  new Request('http://x/', { method: 'PUT', body: form, headers })

const modulePart = (name: string, code: string, type = 'application/javascript+module'): File =>
  new File([code], name, { type })

const parse = (req: Request): Promise<ScriptUpload> => parseScriptUpload(req, { maxBytes: MAX })

/** A request with a plain body of this content type. */
const raw = (body: string, contentType: string, headers: Record<string, string> = {}): Request =>
  new Request('http://x/', { method: 'PUT', body, headers: { 'content-type': contentType, ...headers } })

const file = (content: string | Uint8Array, name: string, type: string) => new File([content], name, { type })
const typesOf = (u: ScriptUpload) => u.modules.map((m) => [m.name, m.type])

async function rejects(req: Request, status: number, code: number, message: RegExp): Promise<void> {
  await assert.rejects(parse(req), (e: unknown) => {
    assert.ok(e instanceof ApiError, String(e))
    assert.equal(e.status, status)
    assert.equal(e.code, code)
    assert.match(e.message, message)
    return true
  })
}

describe('parseScriptUpload: the shapes real clients send', () => {
  it('raw service worker (the seed curl)', async () => {
    const code = "addEventListener('fetch', event => {\n  event.respondWith(new Response('Hello world'))\n})"
    const u = await parse(raw(code, 'application/javascript'))
    assert.equal(u.format, 'service-worker')
    assert.equal(u.mainModule, 'worker.js')
    assert.deepEqual(typesOf(u), [['worker.js', 'commonjs']])
    assert.equal(new TextDecoder().decode(u.modules[0]!.content), code)
    assert.equal(u.metadata.compatibility_date, '2021-11-02')
    assert.deepEqual(u.handlers, ['fetch'])
    assert.ok(Number.isInteger(u.startupTimeMs))
  })

  it('wrangler: metadata without filename, module and source map with filenames', async () => {
    const form = new FormData()
    const metadata = {
      main_module: 'index.js',
      compatibility_date: '2025-01-01',
      keep_bindings: ['secret_text'],
      unknown_key: 1,
    }
    form.append('metadata', JSON.stringify(metadata))
    form.append('index.js', modulePart('index.js', esm + '\n//# sourceMappingURL=index.js.map'))
    form.append('index.js.map', file('{"version":3}', 'index.js.map', 'application/source-map'))
    const u = await parse(multipart(form))
    assert.equal(u.format, 'modules')
    assert.deepEqual(typesOf(u), [['index.js', 'esm'], ['index.js.map', 'sourcemap']])
    assert.equal(u.metadata.compatibility_date, '2025-01-01')
    assert.deepEqual(u.metadata.keep_bindings, ['secret_text'])
  })

  it('the SDK workaround: metadata as a JSON file, the module under files[]', async () => {
    const form = new FormData()
    form.append('metadata', file(JSON.stringify({ main_module: 'worker.js' }), 'metadata.json', 'application/json'))
    form.append('files[]', modulePart('worker.js', esm))
    const u = await parse(multipart(form))
    assert.equal(u.mainModule, 'worker.js')
    assert.deepEqual(u.modules.map((m) => m.name), ['worker.js'])
  })

  it('names a module by its part name, whatever its filename, and a files[] list by filenames', async () => {
    const form = new FormData()
    form.append('metadata', JSON.stringify({ main_module: 'worker.js' }))
    form.append('worker.js', modulePart('src/index.js', esm))
    form.append('util.js', modulePart('build/util.mjs', 'export const x = 1'))
    const u = await parse(multipart(form))
    assert.deepEqual(u.modules.map((m) => m.name), ['worker.js', 'util.js'])

    const list = new FormData()
    list.append('metadata', JSON.stringify({ main_module: 'main.js' }))
    list.append('files', modulePart('main.js', esm))
    list.append('files', modulePart('dep.js', 'export const x = 1'))
    assert.deepEqual((await parse(multipart(list))).modules.map((m) => m.name), ['main.js', 'dep.js'])
  })

  it('wrangler secret put placeholder: a main module without .js', async () => {
    const form = new FormData()
    form.append('metadata', JSON.stringify({ main_module: 'my-worker', bindings: [], logpush: false }))
    form.append('my-worker', modulePart('my-worker', 'export default { fetch() {} }'))
    const u = await parse(multipart(form))
    assert.deepEqual(typesOf(u), [['my-worker', 'esm']])
  })

  it('types every supported part and finds scheduled and queue handlers', async () => {
    const form = new FormData()
    form.append('metadata', JSON.stringify({ main_module: 'main.mjs' }))
    const main = 'export default { fetch() {}, async scheduled() {}, queue: () => {} }'
    form.append('main.mjs', modulePart('main.mjs', main, 'text/javascript+module'))
    form.append('lib.cjs', modulePart('lib.cjs', 'module.exports = 1; return', 'application/javascript'))
    form.append('a.wasm', file(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]), 'a.wasm', 'application/wasm'))
    form.append('t.txt', new File(['text'], 't.txt', { type: 'text/plain' }))
    form.append('d.bin', new File([new Uint8Array([1, 2])], 'd.bin', { type: 'application/octet-stream' }))
    form.append('c.json', new File(['{"a":1}'], 'c.json', { type: 'application/json' }))
    const u = await parse(multipart(form))
    assert.deepEqual(typesOf(u), [
      ['main.mjs', 'esm'],
      ['lib.cjs', 'commonjs'],
      ['a.wasm', 'wasm'],
      ['t.txt', 'text'],
      ['d.bin', 'data'],
      ['c.json', 'json'],
    ])
    assert.deepEqual(u.handlers, ['fetch', 'scheduled', 'queue'])
  })

  it('a service worker as body_part, and the main part named by header', async () => {
    const form = new FormData()
    form.append('metadata', JSON.stringify({ body_part: 'sw.js' }))
    form.append('sw.js', file("addEventListener('scheduled', () => {})", 'sw.js', 'application/javascript'))
    const u = await parse(multipart(form))
    assert.equal(u.format, 'service-worker')
    assert.deepEqual(u.handlers, ['scheduled'])

    const byHeader = new FormData()
    byHeader.append('w.js', modulePart('w.js', esm))
    const h = await parse(multipart(byHeader, { 'CF-WORKER-MAIN-MODULE-PART': 'w.js' }))
    assert.equal(h.mainModule, 'w.js')
  })
})

describe('parseScriptUpload: what it refuses', () => {
  const main = () => ({ 'worker.js': modulePart('worker.js', esm) })
  const withMetadata = (metadata: unknown, parts: Record<string, File> = main()) => {
    const form = new FormData()
    form.append('metadata', typeof metadata === 'string' ? metadata : JSON.stringify(metadata))
    for (const [name, file] of Object.entries(parts)) form.append(name, file)
    return multipart(form)
  }

  it('syntax errors, naming the file, line and column', async () => {
    await rejects(
      withMetadata(
        { main_module: 'worker.js' },
        { 'worker.js': modulePart('worker.js', 'export default {\n  fetch() {\n    return )\n  }\n}') },
      ),
      400, 10021, /^Uncaught SyntaxError: Unexpected token \(3:11\) in worker\.js$/,
    )
    await rejects(
      raw('addEventListener(', 'application/javascript'),
      400, 10021, /SyntaxError: .*\(1:17\) in worker\.js/,
    )
    // An import in a service worker is a syntax error: it is a classic script.
    await rejects(
      raw('import x from "y"', 'text/javascript'),
      400, 10021, /SyntaxError: .* in worker\.js/,
    )
  })

  it('a missing main module', async () => {
    await rejects(withMetadata({ main_module: 'nope.js' }), 400, 10021, /No such module "nope\.js": metadata\.main/)
    await rejects(withMetadata({ bindings: [] }), 400, 10021, /No main module/)
    const both = { main_module: 'worker.js', body_part: 'worker.js' }
    await rejects(withMetadata(both), 400, 10021, /both main_module and body_part/)
  })

  it('malformed metadata and bodies', async () => {
    await rejects(withMetadata('{"main_module": '), 400, 10026, /metadata part is not valid JSON/)
    await rejects(withMetadata('[1]'), 400, 10026, /metadata part must be a JSON object/)
    const badDate = { main_module: 'worker.js', compatibility_date: '2024-13-45' }
    await rejects(withMetadata(badDate), 400, 10021, /metadata\.compatibility_date/)
    await rejects(withMetadata({ main_module: 'worker.js', tags: 'x' }), 400, 10021, /metadata\.tags/)
    const unknownBinding = { main_module: 'worker.js', bindings: [{ type: 'nope', name: 'X' }] }
    await rejects(withMetadata(unknownBinding), 400, 10021, /Unknown binding type 'nope'/)
    await rejects(
      raw('--x\r\ngarbage', 'multipart/form-data; boundary=x'),
      400, 10026, /multipart\/form-data body could not be parsed/,
    )
    await rejects(
      raw('{}', 'application/json'),
      400, 10026, /unsupported Content-Type 'application\/json'/,
    )
  })

  it('unsupported or broken parts', async () => {
    await rejects(
      withMetadata({ main_module: 'worker.js' }, { ...main(), 'x.py': file('x', 'x.py', 'text/x-python') }),
      400, 10021, /Part 'x\.py' has an unsupported content type 'text\/x-python'/,
    )
    await rejects(
      withMetadata({ main_module: 'worker.js' }, { ...main(), 'c.json': file('{', 'c.json', 'application/json') }),
      400, 10021, /Invalid JSON in module 'c\.json'/,
    )
    await rejects(
      withMetadata({ main_module: 't.txt' }, { 't.txt': file('x', 't.txt', 'text/plain') }),
      400, 10021, /main module 't\.txt' must be JavaScript/,
    )
  })

  it('oversized scripts: 413 with code 10027, by Content-Length and by module bytes', async () => {
    const big = 'x'.repeat(MAX + 1)
    await rejects(
      raw(big, 'application/javascript', { 'content-length': String(big.length) }),
      413, 10027, /exceeded the size limit of 65536 bytes/,
    )
    await rejects(
      withMetadata({ main_module: 'worker.js' }, { ...main(), 'big.txt': file(big, 'big.txt', 'text/plain') }),
      413, 10027, /size limit/,
    )
  })
})

describe('parseTagList', () => {
  it("reads JSON and the seed's single-quoted list", () => {
    assert.deepEqual(parseTagList('["a", "b"]'), ['a', 'b'])
    assert.deepEqual(parseTagList("['TAG1', 'TAG2', 'TAG3']"), ['TAG1', 'TAG2', 'TAG3'])
    assert.deepEqual(parseTagList("[ 'it\\'s', \"x\", ]"), ["it's", 'x'])
    assert.deepEqual(parseTagList('null'), [])
    assert.deepEqual(parseTagList('[]'), [])
  })

  it('refuses what is not a list of strings', () => {
    for (const body of ['', "['a' 'b']", '[1]', '{"a":1}', "['a'", 'tag']) {
      assert.throws(() => parseTagList(body), (e: unknown) => e instanceof ApiError && e.code === 10026, body)
    }
  })
})
