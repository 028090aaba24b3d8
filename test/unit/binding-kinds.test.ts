import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { bindingsDir, hostDir, isHostModule, isolateDir } from '../../src/runtime/workerd-config.js'

// A binding kind is one folder with a Node half and a workerd half, each registered with one line.
// These checks read the sources, so a kind that misses a registration fails here, not at run time.

const walk = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]))
const read = (file: string): string => readFileSync(file, 'utf8')
const kindFolders = readdirSync('src/bindings', { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name)
const matches = (text: string, re: RegExp): string[] => [...text.matchAll(re)].map((m) => m[1]!)

describe('binding kinds', () => {
  it('the main module re-exports every entrypoint and Durable Object class a kind defines (workerd reaches them only so)', () => {
    const classes = walk('src/bindings')
      .filter((f) => f.endsWith('.worker.ts'))
      .flatMap((f) => matches(read(f), /export class (\w+) extends (?:WorkerEntrypoint|DurableObject)\b/g))
      .sort()
    const listed = matches(read('src/bindings/entrypoints.worker.ts'), /export \{([^}]+)\}/g)
      .flatMap((names) => names.split(',').map((n) => n.trim()))
      .sort()
    assert.deepEqual(listed, classes)
    assert.match(read('src/host/entry.worker.ts'), /export \* from '\.\.\/bindings\/entrypoints\.worker\.js'/)
  })

  it('every kind folder is registered in both worlds', () => {
    const node = read('src/bindings/index.ts')
    const host = read('src/bindings/registry.worker.ts')
    for (const kind of kindFolders) {
      assert.match(node, new RegExp(`from '\\./${kind}/schema\\.js'`), `${kind} is not in bindings/index.ts`)
      if (walk(join('src/bindings', kind)).includes(join('src/bindings', kind, 'kind.worker.ts')))
        assert.match(host, new RegExp(`from '\\./${kind}/kind\\.worker\\.js'`), `${kind} is not in bindings/registry.worker.ts`)
    }
  })

  it('every HostBinding type Node produces has a workerd half', () => {
    const produced = new Set(kindFolders.flatMap((k) => walk(join('src/bindings', k)).filter((f) => f.endsWith('/host.ts'))).flatMap((f) => matches(read(f), /type: '(\w+)'/g)))
    const consumed = new Set(kindFolders.flatMap((k) => walk(join('src/bindings', k)).filter((f) => f.endsWith('/kind.worker.ts'))).flatMap((f) => matches(read(f), /type: '(\w+)'/g)))
    assert.ok(produced.size > 0)
    assert.deepEqual([...produced].filter((t) => !consumed.has(t)), [])
  })

  it('workerd embeds a kind\'s worker files and wire, never its Node half', () => {
    const kv = join(bindingsDir, 'kv-namespace')
    assert.equal(isHostModule(join(kv, 'kv.worker.js')), true)
    assert.equal(isHostModule(join(kv, 'wire.js')), true)
    assert.equal(isHostModule(join(kv, 'schema.js')), false)
    assert.equal(isHostModule(join(kv, 'internal.js')), false)
    assert.equal(isHostModule(join(bindingsDir, 'index.js')), false)
    // Modules of customers' isolates travel as text; the host's own shim builders are host modules.
    assert.equal(isHostModule(join(isolateDir, 'caches.js')), false)
    assert.equal(isHostModule(join(hostDir, 'shims', 'isolate-modules.worker.js')), true)
    assert.equal(isHostModule(join(kv, 'isolate', 'kv-namespace.js')), false)
  })

  it('isolate modules, which import nothing, use the constants of their kind\'s wire', async () => {
    // Imported by computed path: their types are the workerd world's, not this test's.
    const load = (path: string) => import(path) as Promise<Record<string, unknown>>
    const kvIsolate = await load('../../src/bindings/kv-namespace/isolate/kv-namespace.js')
    const kvWire = await load('../../src/bindings/kv-namespace/wire.js')
    assert.equal(kvIsolate.KV_ORIGIN, kvWire.KV_ORIGIN)
    assert.equal(kvIsolate.KV_METADATA_HEADER, (kvWire.KV_HEADERS as { metadata: string }).metadata)
    const r2Isolate = await load('../../src/bindings/r2-bucket/isolate/r2-bucket.js')
    const r2Wire = await load('../../src/bindings/r2-bucket/wire.js')
    const r2Headers = r2Wire.R2_HEADERS as { object: string; options: string; errorCode: string }
    assert.equal(r2Isolate.R2_ORIGIN, r2Wire.R2_ORIGIN)
    assert.deepEqual(
      [r2Isolate.R2_OBJECT_HEADER, r2Isolate.R2_OPTIONS_HEADER, r2Isolate.R2_ERROR_CODE_HEADER],
      [r2Headers.object, r2Headers.options, r2Headers.errorCode],
    )
    const dispatchIsolate = await load('../../src/bindings/dispatch-namespace/isolate/dispatch-namespace.js')
    const dispatchWire = await load('../../src/bindings/dispatch-namespace/wire.js')
    assert.equal(dispatchIsolate.DISPATCH_HEADER, dispatchWire.DISPATCH_HEADER)
    const d1Isolate = await load('../../src/bindings/d1/isolate/d1-database.js')
    const d1Wire = await load('../../src/bindings/d1/wire.js')
    assert.equal(d1Isolate.D1_ORIGIN, d1Wire.D1_ORIGIN)
    assert.equal(d1Isolate.D1_BOOKMARK_HEADER, d1Wire.D1_BOOKMARK_HEADER)
    // The isolate's operations are the wire's route names (the host looks them up by name).
    assert.deepEqual(Object.keys(d1Wire.D1_WIRE as object).sort(), ['execute', 'query'])
    const queueIsolate = await load('../../src/bindings/queue/isolate/queue-producer.js')
    const queueWire = await load('../../src/bindings/queue/wire.js')
    assert.equal(queueIsolate.QUEUE_ORIGIN, queueWire.QUEUE_ORIGIN)
    for (const file of walk('src/bindings').filter((f) => f.split('/').at(-2) === 'isolate'))
      assert.deepEqual(matches(read(file), /^import .* from '([^']+)'/gm), [], `${file} imports at run time`)
  })
})
