import assert from 'node:assert/strict'
import Database from 'better-sqlite3'
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { packObject, unpackObject } from '../../src/runtime/placement/object-files.js'

const KEY = 'ab'.repeat(32)

describe("a Durable Object's files as one bundle", () => {
  const from = mkdtempSync(join(tmpdir(), 'workerhive-object-files-'))
  const to = mkdtempSync(join(tmpdir(), 'workerhive-object-files-'))
  after(() => {
    rmSync(from, { recursive: true, force: true })
    rmSync(to, { recursive: true, force: true })
  })

  it('carries committed rows still in the WAL of a database another connection holds open, and replaces what was there', () => {
    // As workerd leaves them: WAL mode, a writer that keeps its connection (no checkpoint on close).
    const host = new Database(join(from, `${KEY}.sqlite`))
    host.pragma('journal_mode = WAL')
    host.exec("CREATE TABLE meta (k TEXT, v TEXT); INSERT INTO meta VALUES ('alarm', '123')")
    const facet = new Database(join(from, `${KEY}.1.sqlite`))
    facet.pragma('journal_mode = WAL')
    facet.pragma('wal_autocheckpoint = 0')
    facet.exec('CREATE TABLE kv (k TEXT, v INTEGER)')
    const insert = facet.prepare('INSERT INTO kv VALUES (?, ?)')
    for (let i = 0; i < 500; i++) insert.run(`k${i}`, i)
    writeFileSync(join(from, `${KEY}.facets`), 'object\n1\n')
    writeFileSync(join(from, 'another-object.sqlite'), 'not this one')
    // A stale copy at the destination, with a WAL that must not be replayed onto the new file.
    writeFileSync(join(to, `${KEY}.1.sqlite-wal`), 'stale')
    writeFileSync(join(to, `${KEY}.2.sqlite`), 'a facet the bundle does not have')

    return (async () => {
      const bundle = await packObject(from, KEY)
      assert.equal(bundle.byteLength % 4096, 0, 'whole pages')
      await unpackObject(to, KEY, bundle)
      host.close()
      facet.close()
      assert.deepEqual(readdirSync(to).sort(), [`${KEY}.1.sqlite`, `${KEY}.facets`, `${KEY}.sqlite`])
      const copy = new Database(join(to, `${KEY}.1.sqlite`), { readonly: true })
      assert.deepEqual(copy.prepare('SELECT count(*) AS n, sum(v) AS s FROM kv').get(), { n: 500, s: (499 * 500) / 2 })
      copy.close()
      const meta = new Database(join(to, `${KEY}.sqlite`), { readonly: true })
      assert.deepEqual(meta.prepare('SELECT v FROM meta').get(), { v: '123' })
      meta.close()
    })()
  })
})
