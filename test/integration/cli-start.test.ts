import assert from 'node:assert/strict'
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { runCli, startCli, type RunningCli } from '../helpers/cli.js'

/** Every file of a data dir with its content and modification time. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue
    const path = join(entry.parentPath, entry.name)
    // SQLite's own files change as the running instance serves; nobody else may touch them either,
    // but their content is not ours to compare.
    if (/workerhive\.db/.test(entry.name)) continue
    out[path.slice(dir.length + 1)] = `${statSync(path).mtimeMs} ${readFileSync(path, 'base64')}`
  }
  return out
}

describe('a second workerhive start', () => {
  const root = mkdtempSync(join(tmpdir(), 'workerhive-second-start-'))
  const dataDir = join(root, 'live')
  let live: RunningCli
  let endpoints: { api: string; edge: string }
  let token: string

  before(async () => {
    live = await startCli(dataDir)
    endpoints = JSON.parse(readFileSync(join(dataDir, 'endpoints.json'), 'utf8'))
    token = live.lines.find((l) => l.startsWith('export CLOUDFLARE_API_TOKEN='))!.split('=')[1]!
  })
  after(async () => {
    if (live.child.exitCode === null && live.child.signalCode === null) live.child.kill('SIGKILL')
    rmSync(root, { recursive: true, force: true })
  })

  const port = (url: string) => new URL(url).port
  const serving = async () => {
    const verify = await fetch(`${endpoints.api}/user/tokens/verify`, { headers: { authorization: `Bearer ${token}` } })
    assert.equal(verify.status, 200, 'the API still answers')
    const edge = await fetch(endpoints.edge)
    assert.ok(edge.status > 0, 'the edge still answers')
    await edge.arrayBuffer()
  }

  it('exits at once with a clear error, touching nothing, on a live data dir or a busy port', async () => {
    const before = snapshot(dataDir)
    assert.ok(Object.keys(before).some((f) => f.startsWith('runtime/') && f.endsWith('.capnp')), Object.keys(before).join())
    assert.equal(JSON.parse(readFileSync(join(dataDir, 'workerhive.lock'), 'utf8')).pid, live.child.pid)

    const sameDir = await runCli(['start', '--data-dir', dataDir, '--api-port', '0', '--edge-port', '0'])
    assert.deepEqual(sameDir, {
      code: 1,
      stdout: '',
      stderr: `workerhive start: the data dir ${dataDir} is in use by a running Workerhive (pid ${live.child.pid}); stop it first, or pass another --data-dir\n`,
    })

    for (const [flag, busy, free] of [
      ['--api-port', port(endpoints.api), '--edge-port'],
      ['--edge-port', port(endpoints.edge), '--api-port'],
    ] as const) {
      const other = join(root, `other${flag}`)
      const res = await runCli(['start', '--data-dir', other, flag, busy, free, '0'])
      assert.deepEqual(res, {
        code: 1,
        stdout: '',
        stderr: `workerhive start: 127.0.0.1:${busy} is already in use (another Workerhive?); stop what listens there or pass another ${flag}\n`,
      })
      assert.deepEqual(readdirSync(other), [], 'nothing written before the ports were bound')
    }

    assert.deepEqual(snapshot(dataDir), before, 'the live instance\u2019s files are unchanged')
    await serving()
    // The first instance still shuts down cleanly, and frees its data dir.
    live.child.kill('SIGTERM')
    assert.equal(await live.exited, '0/null')
    assert.equal(readdirSync(dataDir).includes('workerhive.lock'), false)
  })
})
