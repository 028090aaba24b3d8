import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { after, describe, it } from 'node:test'

/** Starts `workerhive start` as its own process and resolves with what it printed once running. */
function startCli(dataDir: string): Promise<{ child: ChildProcess; lines: string[] }> {
  const child = spawn(process.execPath, ['bin/workerhive.js', 'start', '--data-dir', dataDir, '--api-port', '0', '--edge-port', '0', '--log-level', 'error'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const lines: string[] = []
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      lines.push(line)
      if (line.startsWith('export CLOUDFLARE_API_KEY=')) resolve({ child, lines })
    })
    child.once('exit', (code) => reject(new Error(`workerhive start exited with ${code}: ${lines.join('\n')}`)))
  })
}

function descendants(pid: number): number[] {
  let children: number[] = []
  try {
    for (const task of readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean)) {
      children.push(Number(task))
    }
  } catch {
    return []
  }
  for (const c of [...children]) children = children.concat(descendants(c))
  return children
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ')
  } catch {
    return false
  }
}

describe('process lifecycle', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'workerhive-cli-'))
  after(() => rmSync(dataDir, { recursive: true, force: true }))

  it('leaves no workerd behind when Node is killed with SIGKILL, and restarts past its stale lock with the same credentials', async () => {
    const first = await startCli(dataDir)
    const workerd = descendants(first.child.pid!)
    assert.ok(workerd.length >= 3, `edge processes and the probation process: ${workerd.length}`)
    const exited = new Promise((resolve) => first.child.once('exit', resolve))
    first.child.kill('SIGKILL')
    await exited
    let survivors = workerd
    for (let i = 0; i < 100 && survivors.length > 0; i++) {
      await new Promise((r) => setTimeout(r, 50))
      survivors = survivors.filter(alive)
    }
    assert.deepEqual(survivors, [], 'every workerd died with its parent')
    // SIGKILL left the data dir's lock behind; its holder is dead, so it must not block the restart.
    assert.equal(JSON.parse(readFileSync(join(dataDir, 'workerhive.lock'), 'utf8')).pid, first.child.pid)

    const second = await startCli(dataDir)
    const credentials = (lines: string[]) => lines.filter((l) => /^export CLOUDFLARE_(ACCOUNT_ID|API_TOKEN|EMAIL|API_KEY)=/.test(l))
    assert.deepEqual(credentials(second.lines), credentials(first.lines))
    assert.equal(credentials(first.lines).length, 4)
    const stopped = new Promise<string>((resolve) => second.child.once('exit', (code, signal) => resolve(`${code}/${signal}`)))
    second.child.kill('SIGTERM')
    assert.equal(await stopped, '0/null', 'a clean shutdown on SIGTERM')
  })
})
