import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { describe, it } from 'node:test'

// Layers import down only (AGENTS.md): read from the sources, so a new import breaks this test, not
// a later refactor.
const walk = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  )

/** Every import of a file: relative ones as paths under the repository, others as written. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8')
  const specs = [...text.matchAll(/(?:\bfrom|\bimport)\s*\(?\s*'([^']+)'/g)].map((m) => m[1]!)
  return specs.map((s) => (s.startsWith('.') ? relative('.', join(dirname(file), s)) : s))
}

function violations(folder: string, allowed: (target: string) => boolean): string[] {
  return walk(folder).flatMap((file) => importsOf(file).filter((t) => !allowed(t)).map((t) => `${file} → ${t}`))
}

describe('layers', () => {
  it('kv, domain and storage never import the API', () => {
    for (const folder of ['src/kv', 'src/domain', 'src/storage']) {
      assert.deepEqual(violations(folder, (t) => !t.startsWith('src/api/')), [])
    }
  })

  it('the runtime never imports the API', () => {
    assert.deepEqual(violations('src/runtime', (t) => !t.startsWith('src/api/')), [])
  })

  // The workerd world: src/host, src/shared and each binding kind's worker files, wire and isolate modules.
  const workerdSide = (t: string) =>
    t.startsWith('src/host/') ||
    t.startsWith('src/shared/') ||
    t.startsWith('cloudflare:') ||
    (t.startsWith('src/bindings/') && (t.endsWith('.worker.js') || t.endsWith('/wire.js') || t.split('/').at(-2) === 'isolate'))

  it('the host worker imports only itself, src/shared, the kinds\' worker files and workerd modules', () => {
    assert.deepEqual(violations('src/host', workerdSide), [])
  })

  it('a binding kind\'s worker files and wire stay in the workerd world', () => {
    const files = walk('src/bindings').filter((f) => f.endsWith('.worker.ts') || f.endsWith('/wire.ts'))
    const bad = files.flatMap((file) => importsOf(file).filter((t) => !workerdSide(t)).map((t) => `${file} → ${t}`))
    assert.deepEqual(bad, [])
  })

  it('a binding kind\'s wire imports only src/shared (Node and workerd both compile it)', () => {
    const files = walk('src/bindings').filter((f) => f.endsWith('/wire.ts'))
    const bad = files.flatMap((file) => importsOf(file).filter((t) => !t.startsWith('src/shared/')).map((t) => `${file} → ${t}`))
    assert.deepEqual(bad, [])
  })

  it('the bindings never import the API', () => {
    assert.deepEqual(violations('src/bindings', (t) => !t.startsWith('src/api/')), [])
  })

  it('src/shared imports only itself (it compiles in both worlds)', () => {
    assert.deepEqual(violations('src/shared', (t) => t.startsWith('src/shared/')), [])
  })
})
