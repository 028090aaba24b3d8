import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { killServerProcess, startServerProcess, type ServerProcess } from '../helpers/server-process.js'

/** A distinct module per name and version, of varying size. */
const codeOf = (name: string, version: number) => {
  const label = JSON.stringify(`${name} v${version}`)
  const padding = 'padding '.repeat((version * 37) % 500)
  return `// ${padding}\nexport default { fetch() { return new Response(${label}) } }\n`
}

describe('acknowledged uploads survive SIGKILL', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'workerhive-crash-'))
  const running: ServerProcess[] = []
  after(async () => {
    for (const s of running) await killServerProcess(s)
    rmSync(dataDir, { recursive: true, force: true })
  })

  it('finds every acknowledged upload intact after a restart', async () => {
    const first = await startServerProcess(dataDir)
    running.push(first)
    const api = (s: ServerProcess, path: string, init: RequestInit = {}) =>
      fetch(`${s.apiUrl}/accounts/${s.accountId}/workers/dispatch/namespaces${path}`, {
        ...init,
        headers: { ...init.headers, authorization: `Bearer ${s.token}` },
      })
    const created = await api(first, '', {
      method: 'POST',
      body: JSON.stringify({ name: 'crash' }),
      headers: { 'content-type': 'application/json' },
    })
    assert.equal(created.status, 200)

    const upload = async (name: string, version: number): Promise<boolean> => {
      const form = new FormData()
      form.append('metadata', JSON.stringify({ main_module: 'worker.js', tags: [`v${version}`] }))
      const code = codeOf(name, version)
      form.append('worker.js', new File([code], 'worker.js', { type: 'application/javascript+module' }))
      try {
        const res = await api(first, `/crash/scripts/${name}`, { method: 'PUT', body: form })
        return res.status === 200 && ((await res.json()) as { success: boolean }).success
      } catch {
        return false // the connection died with the server: not acknowledged
      }
    }

    // Four lanes upload at once: each re-uploads its own script (new versions) and adds new ones.
    const LANES = 4
    const KILL_AFTER = 80
    const ackedNew = new Map<string, number>()
    const lastAcked = new Array<number>(LANES).fill(0)
    let acks = 0
    let killed: Promise<void> | undefined
    const lane = async (j: number) => {
      for (let v = 1; !killed; v++) {
        const ok = await Promise.all([upload(`lane-${j}`, v), upload(`new-${j}-${v}`, 1)])
        if (ok[0]) lastAcked[j] = v
        if (ok[1]) ackedNew.set(`new-${j}-${v}`, 1)
        acks += ok.filter(Boolean).length
        if (acks >= KILL_AFTER && !killed) killed = killServerProcess(first)
      }
    }
    await Promise.all(Array.from({ length: LANES }, (_, j) => lane(j)))
    await killed
    assert.ok(acks >= KILL_AFTER)

    const second = await startServerProcess(dataDir)
    running.push(second)
    const content = async (name: string): Promise<string | undefined> => {
      const res = await api(second, `/crash/scripts/${name}/content`)
      return res.status === 200 ? res.text() : undefined
    }
    for (const [name, version] of ackedNew) {
      assert.equal(await content(name), codeOf(name, version), `${name} lost`)
    }
    for (let j = 0; j < LANES; j++) {
      // The upload in flight at the kill may or may not have landed, but never half of it.
      const got = await content(`lane-${j}`)
      const version = [lastAcked[j]!, lastAcked[j]! + 1].find((v) => got === codeOf(`lane-${j}`, v))
      assert.ok(version !== undefined, `lane-${j}: neither v${lastAcked[j]} nor the next: ${got?.slice(-60)}`)
      // Code and tags were published in one transaction: they belong to the same upload.
      const res = await api(second, `/crash/scripts/lane-${j}`)
      const details = (await res.json()) as { result: { script: { tags: string[] } } }
      assert.deepEqual(details.result.script.tags, [`v${version}`])
    }
  })
})
