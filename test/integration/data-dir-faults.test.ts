import assert from 'node:assert/strict'
import { cpSync, mkdtempSync, openSync, readFileSync, rmSync, truncateSync, unlinkSync, writeFileSync, writeSync, closeSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { openSqliteStore } from '../../src/storage/sqlite/index.js'
import { runCli, startCli } from '../helpers/cli.js'
import { jsonBody, startTestPlatform } from '../helpers/platform.js'
import { mountTmpfs } from '../helpers/tmpfs.js'

// A data dir whose storage is lost, damaged, read-only or full: `workerhive start` refuses in one
// sentence naming the path and exits non-zero, and never replaces the credentials of the platform
// that data dir belonged to.

const start = (dataDir: string) => runCli(['start', '--data-dir', dataDir, '--api-port', '0', '--edge-port', '0', '--log-level', 'error'])
/** One line on stderr, prefixed like every start failure. */
const oneSentence = (stderr: string): string => {
  const lines = stderr.trim().split('\n')
  assert.equal(lines.length, 1, stderr)
  assert.match(lines[0]!, /^workerhive start: /)
  return lines[0]!
}

describe('a data dir whose database is lost or damaged', () => {
  let original: string
  let credentials: string
  const copies: string[] = []
  /** A stopped platform's data dir, copied so each case damages its own. */
  const copy = () => {
    const dir = mkdtempSync(join(tmpdir(), 'workerhive-faults-'))
    cpSync(original, dir, { recursive: true })
    copies.push(dir)
    return dir
  }

  before(async () => {
    original = mkdtempSync(join(tmpdir(), 'workerhive-faults-'))
    const live = await startCli(original)
    live.child.kill('SIGTERM')
    assert.equal(await live.exited, '0/null')
    credentials = readFileSync(join(original, 'credentials.json'), 'utf8')
  })
  after(() => {
    for (const dir of [original, ...copies]) rmSync(dir, { recursive: true, force: true })
  })

  const refuses = async (dir: string, why: RegExp) => {
    const res = await start(dir)
    assert.equal(res.code, 1, res.stdout + res.stderr)
    assert.match(oneSentence(res.stderr), why)
    assert.equal(readFileSync(join(dir, 'credentials.json'), 'utf8'), credentials, 'the credentials were rewritten')
  }

  it('refuses a database truncated to 0 bytes', async () => {
    const dir = copy()
    truncateSync(join(dir, 'workerhive.db'), 0)
    for (const f of ['workerhive.db-wal', 'workerhive.db-shm']) if (existsSync(join(dir, f))) unlinkSync(join(dir, f))
    await refuses(dir, /workerhive\.db is empty \(0 bytes\) although .*credentials\.json says this data dir has served before/)
    assert.equal(readFileSync(join(dir, 'workerhive.db')).length, 0, 'the empty database was written to')
  })

  it('refuses a missing database', async () => {
    const dir = copy()
    unlinkSync(join(dir, 'workerhive.db'))
    await refuses(dir, /workerhive\.db is missing/)
    assert.ok(!existsSync(join(dir, 'workerhive.db')), 'a new database was created')
  })

  it('refuses a database without the account the credentials name (emptied or replaced)', async () => {
    const dir = copy()
    for (const f of ['workerhive.db', 'workerhive.db-wal', 'workerhive.db-shm']) if (existsSync(join(dir, f))) unlinkSync(join(dir, f))
    await openSqliteStore({ dataDir: dir }).close() // a valid, empty Workerhive database
    await refuses(dir, /names account [0-9a-f]{32}, which the store does not hold/)
  })

  it('refuses a malformed database, naming it', async () => {
    const dir = copy()
    for (const f of ['workerhive.db-wal', 'workerhive.db-shm']) if (existsSync(join(dir, f))) unlinkSync(join(dir, f))
    writeFileSync(join(dir, 'workerhive.db'), 'this is not a database\n'.repeat(500))
    await refuses(dir, /workerhive\.db is not a Workerhive database/)
  })
})

describe('read-only and full storage', () => {
  it('refuses a read-only data dir in one sentence naming it', async (t) => {
    const fs = mountTmpfs(16)
    if (typeof fs === 'string') return t.skip(fs)
    try {
      const dir = join(fs.path, 'data')
      const live = await startCli(dir)
      live.child.kill('SIGTERM')
      assert.equal(await live.exited, '0/null')
      const credentials = readFileSync(join(dir, 'credentials.json'), 'utf8')
      fs.readOnly(true)
      const res = await start(dir)
      assert.equal(res.code, 1, res.stdout + res.stderr)
      assert.match(oneSentence(res.stderr), new RegExp(`${dir}\\S* cannot be written \\(read-only file system or missing permission\\)`))
      assert.equal(readFileSync(join(dir, 'credentials.json'), 'utf8'), credentials)
    } finally {
      fs.unmount()
    }
  })

  it('answers API writes on a full disk with a 507 envelope that says so, and recovers once there is room', async (t) => {
    const fs = mountTmpfs(24)
    if (typeof fs === 'string') return t.skip(fs)
    try {
      const p = await startTestPlatform({ dataDir: join(fs.path, 'data') })
      try {
        const ns = await p.json(`/accounts/${p.accountId}/storage/kv/namespaces`, { method: 'POST', ...jsonBody({ title: 'fill' }) })
        assert.equal(ns.status, 200, JSON.stringify(ns.body))
        const value = `/accounts/${p.accountId}/storage/kv/namespaces/${ns.body.result.id}/values/big`
        const filler = join(fs.path, 'filler')
        fillDisk(filler)
        const full = await p.json(value, { method: 'PUT', body: 'x'.repeat(1024 * 1024) })
        assert.equal(full.status, 507, JSON.stringify(full.body))
        assert.equal(full.body.success, false)
        assert.deepEqual(full.body.errors.map((e: { code: number }) => e.code), [10002])
        assert.match(full.body.errors[0].message, /storage is full, so nothing was saved/)
        unlinkSync(filler)
        assert.equal((await p.json(value, { method: 'PUT', body: 'x'.repeat(1024 * 1024) })).status, 200)
      } finally {
        await p.platform.stop()
      }
    } finally {
      fs.unmount()
    }
  })

  it('refuses to start on a full disk in one sentence naming the path', async (t) => {
    const fs = mountTmpfs(8)
    if (typeof fs === 'string') return t.skip(fs)
    try {
      fillDisk(join(fs.path, 'filler'))
      const dir = join(fs.path, 'data')
      const res = await start(dir)
      assert.equal(res.code, 1, res.stdout + res.stderr)
      assert.match(oneSentence(res.stderr), new RegExp(`the disk holding ${dir}\\S* is full`))
    } finally {
      fs.unmount()
    }
  })
})

/** Writes `path` until the file system says ENOSPC. */
function fillDisk(path: string): void {
  const fd = openSync(path, 'w')
  const chunk = Buffer.alloc(64 * 1024, 1)
  try {
    for (;;) writeSync(fd, chunk)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err
  } finally {
    closeSync(fd)
  }
}
