import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { after, describe, it } from 'node:test'

interface Server {
  child: ChildProcess
  apiUrl: string
  token: string
  accountId: string
  exited: Promise<void>
}

/**
 * Runs `workerhive start` as its own process group (the edge's workerd processes live in it too),
 * and waits for the lines it prints once it is serving.
 */
function startServer(dataDir: string): Promise<Server> {
  const child = spawn(
    process.execPath,
    ['bin/workerhive.js', 'start', '--data-dir', dataDir, '--api-port', '0', '--edge-port', '0'].concat(
      ['--log-level', 'silent'],
    ),
    { detached: true, stdio: ['ignore', 'pipe', 'inherit'] },
  )
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  return new Promise((resolve, reject) => {
    const found: Record<string, string> = {}
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const api = /^\s*API:\s+(\S+)/.exec(line)
      if (api) found.apiUrl = api[1]!
      const exported = /^export (CLOUDFLARE_API_TOKEN|CLOUDFLARE_ACCOUNT_ID)=(\S+)/.exec(line)
      if (exported) found[exported[1]!] = exported[2]!
      if (found.apiUrl && found.CLOUDFLARE_API_TOKEN && found.CLOUDFLARE_ACCOUNT_ID) {
        const { apiUrl, CLOUDFLARE_API_TOKEN: token, CLOUDFLARE_ACCOUNT_ID: accountId } = found
        resolve({ child, apiUrl, token, accountId, exited })
      }
    })
    void exited.then(() => reject(new Error('workerhive start exited before it was serving')))
  })
}

/** SIGKILL to the whole group: no shutdown hook runs, exactly like a crash or kill -9. */
async function kill(server: Server): Promise<void> {
  try {
    process.kill(-server.child.pid!, 'SIGKILL')
  } catch {
    // The group is already gone.
  }
  await server.exited
}

/** A distinct module per name and version, of varying size. */
const codeOf = (name: string, version: number) => {
  const label = JSON.stringify(`${name} v${version}`)
  const padding = 'padding '.repeat((version * 37) % 500)
  return `// ${padding}\nexport default { fetch() { return new Response(${label}) } }\n`
}

describe('acknowledged uploads survive SIGKILL', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'workerhive-crash-'))
  const running: Server[] = []
  after(async () => {
    for (const s of running) await kill(s)
    rmSync(dataDir, { recursive: true, force: true })
  })

  it('finds every acknowledged upload intact after a restart', async () => {
    const first = await startServer(dataDir)
    running.push(first)
    const api = (s: Server, path: string, init: RequestInit = {}) =>
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
        if (acks >= KILL_AFTER && !killed) killed = kill(first)
      }
    }
    await Promise.all(Array.from({ length: LANES }, (_, j) => lane(j)))
    await killed
    assert.ok(acks >= KILL_AFTER)

    const second = await startServer(dataDir)
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
