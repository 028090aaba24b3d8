import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { SyncBarrier } from '../../src/storage/sqlite/durability.js'

/** An fsync the test finishes by hand, recording when each one started. */
function manualSync() {
  const runs: Array<{ finish(err?: Error): void }> = []
  const barrier = new SyncBarrier(
    () => new Promise<void>((resolve, reject) => runs.push({ finish: (err) => (err ? reject(err) : resolve()) })),
  )
  return { barrier, runs }
}

const settled = async (p: Promise<unknown>): Promise<boolean> => {
  let done = false
  p.then(() => (done = true), () => (done = true))
  await new Promise((r) => setImmediate(r))
  return done
}

describe('SyncBarrier (group commit)', () => {
  it('lets writes that come during an fsync share the next one, never the one already running', async () => {
    const { barrier, runs } = manualSync()
    const first = barrier.flush()
    assert.equal(runs.length, 1)
    const during = [barrier.flush(), barrier.flush(), barrier.flush()]
    assert.equal(runs.length, 1, 'no second fsync while one runs')
    runs[0]!.finish()
    await first
    assert.equal(await settled(during[0]!), false, 'their commits may be after the first fsync started')
    assert.equal(runs.length, 2, 'one fsync for all three')
    runs[1]!.finish()
    await Promise.all(during)
    assert.equal(runs.length, 2)
  })

  it('reports a failed fsync to every write waiting on it, and recovers', async () => {
    const { barrier, runs } = manualSync()
    const a = barrier.flush()
    runs[0]!.finish(new Error('EIO'))
    await assert.rejects(a, /EIO/)
    const b = barrier.flush()
    assert.equal(runs.length, 2)
    runs[1]!.finish()
    await b
  })
})
