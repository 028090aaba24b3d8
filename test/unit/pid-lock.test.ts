import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { acquirePidLock, LockHeldError } from '../../src/util/pid-lock.js'

describe('pid lock', () => {
  const dir = mkdtempSync(join(tmpdir(), 'workerhive-lock-'))
  after(() => rmSync(dir, { recursive: true, force: true }))
  let n = 0
  const fresh = () => join(dir, `lock-${n++}`)
  /** The pid of a process that has exited and been reaped. */
  const deadPid = (): number => spawnSync(process.execPath, ['-e', '0']).pid!

  it('is held until released, also against a second acquisition in the same process', () => {
    const path = fresh()
    const lock = acquirePidLock(path)
    assert.equal(JSON.parse(readFileSync(path, 'utf8')).pid, process.pid)
    assert.throws(() => acquirePidLock(path), (err: unknown) => err instanceof LockHeldError && err.pid === process.pid)
    lock.release()
    assert.equal(existsSync(path), false)
    lock.release() // idempotent
    acquirePidLock(path).release()
    assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.tmp')), [], 'no scratch file left behind')
  })

  it('names a live holder', () => {
    const path = fresh()
    // The parent (the test runner) is alive; without a start time only the pid is checked.
    writeFileSync(path, JSON.stringify({ pid: process.ppid }))
    assert.throws(() => acquirePidLock(path), (err: unknown) => err instanceof LockHeldError && err.pid === process.ppid)
    assert.equal(JSON.parse(readFileSync(path, 'utf8')).pid, process.ppid, 'the holder\u2019s lock is untouched')
  })

  it('takes over the lock of a dead process, a reused pid and a garbled file', () => {
    for (const stale of [
      JSON.stringify({ pid: deadPid() }),
      // A live pid whose process started at another time: the holder died and the pid was reused.
      JSON.stringify({ pid: process.ppid, started: '1' }),
      '',
      'not json',
    ]) {
      const path = fresh()
      writeFileSync(path, stale)
      const lock = acquirePidLock(path)
      assert.equal(JSON.parse(readFileSync(path, 'utf8')).pid, process.pid, `took over ${JSON.stringify(stale)}`)
      lock.release()
    }
  })
})
