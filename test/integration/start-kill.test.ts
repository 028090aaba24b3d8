import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { BIN } from '../helpers/cli.js'

// kill -9 of Node at every moment of `workerhive start`: workerd and bubblewrap get their death
// signal before they exec (the launcher sets it), so none may outlive Node, and the edge port is
// free again for the next start.

/** Live processes (zombies excluded) whose command line names `needle`, wherever they were reparented. */
function processesNaming(needle: string): number[] {
  const found: number[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue
    try {
      if (readFileSync(`/proc/${entry}/stat`, 'utf8').includes(') Z ')) continue
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(needle)) found.push(Number(entry))
    } catch {
      // gone meanwhile
    }
  }
  return found
}

const childrenOf = (pid: number): number[] => {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number)
  } catch {
    return []
  }
}
const descendantCount = (pid: number): number => childrenOf(pid).reduce((n, c) => n + 1 + descendantCount(c), 0)

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const s = createServer().once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number }
      s.close(() => resolve(port))
    })
  })
const canBind = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const s = createServer().once('error', () => resolve(false))
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)))
  })
const tick = () => new Promise((r) => setImmediate(r))

describe('kill -9 of Node during start-up', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'workerhive-kill-start-'))
  after(() => rmSync(dataDir, { recursive: true, force: true }))

  it('leaves no workerd or bwrap behind and frees the edge port, 20 rounds at different moments', async () => {
    const stages: string[] = []
    for (let round = 0; round < 20; round++) {
      const edgePort = await freePort()
      const child = spawn(process.execPath, [BIN, 'start', '--data-dir', dataDir, '--api-port', '0', '--edge-port', String(edgePort), '--log-level', 'error'], {
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      let running = false
      child.stdout!.setEncoding('utf8').on('data', (s: string) => (running ||= s.includes('Workerhive is running')))
      const exited = new Promise((resolve) => child.once('exit', resolve))
      // Round r kills once Node has r % 6 descendants (launchers, bwrap, workerd), or once it runs.
      const wanted = round % 6
      let seen = 0
      while (!running && child.exitCode === null && (seen = descendantCount(child.pid!)) < wanted) await tick()
      child.kill('SIGKILL')
      await exited
      stages.push(running ? 'running' : `${seen} descendants`)
      let orphans = processesNaming(dataDir)
      for (let i = 0; i < 200 && orphans.length > 0; i++) {
        await new Promise((r) => setTimeout(r, 25))
        orphans = processesNaming(dataDir)
      }
      assert.deepEqual(orphans, [], `round ${round} (${stages.at(-1)}): processes outlived Node`)
      assert.ok(await canBind(edgePort), `round ${round} (${stages.at(-1)}): the edge port ${edgePort} is still held`)
    }
    // The rounds did hit start-up with workerd processes on their way, not only before or after.
    assert.ok(stages.some((s) => /^[2-5] descendants$/.test(s)), stages.join(', '))
  })

  it('stops on SIGTERM at any moment of start-up, exiting 0 with nothing left behind', async () => {
    for (let round = 0; round < 6; round++) {
      const edgePort = await freePort()
      const child = spawn(process.execPath, [BIN, 'start', '--data-dir', dataDir, '--api-port', '0', '--edge-port', String(edgePort), '--log-level', 'error'], {
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      let running = false
      child.stdout!.setEncoding('utf8').on('data', (s: string) => (running ||= s.includes('Workerhive is running')))
      const exited = new Promise<string>((resolve) => child.once('exit', (code, signal) => resolve(`${code}/${signal}`)))
      // Node's own start-up comes first: a SIGTERM before its handlers exist is Node's default exit.
      while (!running && child.exitCode === null && descendantCount(child.pid!) < Math.max(1, round)) await tick()
      child.kill('SIGTERM')
      assert.equal(await exited, '0/null', `round ${round}: a clean exit`)
      assert.deepEqual(processesNaming(dataDir), [], `round ${round}: processes outlived a clean stop`)
      assert.ok(await canBind(edgePort), `round ${round}: the edge port ${edgePort} is still held`)
    }
  })
})
