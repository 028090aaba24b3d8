import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { PageReplica, ReplicaFenced } from '../../src/runtime/placement/pages.js'
import { openSqliteStore } from '../../src/storage/sqlite/index.js'

// Two nodes' replicas over one store: the owner sends only changed pages, a new owner rebuilds
// the bytes exactly, and a stale owner is fenced out.
describe('page replication', () => {
  const setUp = () => {
    const dir = mkdtempSync(join(tmpdir(), 'workerhive-pages-'))
    const store = openSqliteStore({ file: ':memory:' })
    const replica = () => new PageReplica({ store: store.placement, pageSize: 8, sliceSize: 2 })
    return { dir, store, a: replica(), b: replica(), done: async () => (await store.close(), rmSync(dir, { recursive: true, force: true })) }
  }

  it('sends changed pages only, and a new owner rebuilds the same bytes', async () => {
    const { dir, store, a, b, done } = setUp()
    const fa = join(dir, 'a.db')
    const fb = join(dir, 'b.db')
    writeFileSync(fa, Buffer.from('aaaaaaaabbbbbbbbcccc'))
    assert.equal(await a.replicate('d1:x', fa), 1)
    writeFileSync(fa, Buffer.from('aaaaaaaaBBBBBBBBcccccccc'))
    assert.equal(await a.replicate('d1:x', fa), 2)
    const pages = await store.placement.readPages('d1:x', 0, 10)
    assert.deepEqual(pages.map((p) => p.no), [0, 1, 2])
    // Page 0 was written once (version 1 rows are not rewritten when unchanged).
    assert.equal(await b.restore('d1:x', fb), 2)
    assert.equal(readFileSync(fb, 'utf8'), 'aaaaaaaaBBBBBBBBcccccccc')
    // A shrunk file drops its tail.
    writeFileSync(fb, Buffer.from('aaaaaaaa'))
    assert.equal(await b.replicate('d1:x', fb), 3)
    // The old owner's next write expected version 2: refused.
    writeFileSync(fa, Buffer.from('zzzzzzzz'))
    await assert.rejects(a.replicate('d1:x', fa), ReplicaFenced)
    assert.equal(await a.restore('d1:x', fa), 3)
    assert.equal(readFileSync(fa, 'utf8'), 'aaaaaaaa')
    await done()
  })

  it('with nothing stored the local file stays, and its first replication sends it whole', async () => {
    const { dir, a, b, done } = setUp()
    const f = join(dir, 'kept.db')
    writeFileSync(f, Buffer.from('0123456789'))
    assert.equal(await a.restore('d1:y', f), 0)
    assert.equal(readFileSync(f, 'utf8'), '0123456789')
    assert.equal(await a.replicate('d1:y', f), 1)
    assert.equal(await b.restore('d1:y', join(dir, 'copy.db')), 1)
    assert.equal(readFileSync(join(dir, 'copy.db'), 'utf8'), '0123456789')
    await done()
  })
})
