import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { killServerProcess, startServerProcess, type ServerProcess } from '../helpers/server-process.js'

const call = (s: ServerProcess, path: string, body?: unknown) =>
  fetch(`${s.apiUrl}/accounts/${s.accountId}/queues${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${s.token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })

describe('acknowledged queue sends survive SIGKILL', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'workerhive-queue-crash-'))
  const running: ServerProcess[] = []
  after(async () => {
    for (const s of running) await killServerProcess(s)
    rmSync(dataDir, { recursive: true, force: true })
  })

  it('every message whose send was acknowledged is there after kill -9 and a restart', async () => {
    const first = await startServerProcess(dataDir)
    running.push(first)
    const queue = ((await (await call(first, '', { queue_name: 'durable' })).json()) as any).result
    assert.equal((await call(first, `/${queue.queue_id}/consumers`, { type: 'http_pull' })).status, 200)

    // Four senders push batches until the kill; a batch counts only once its answer said success.
    const acknowledged: number[] = []
    let next = 0
    let killed = false
    const sender = async () => {
      while (!killed) {
        const from = next
        next += 10
        try {
          const res = await call(first, `/${queue.queue_id}/messages/batch`, { messages: Array.from({ length: 10 }, (_, i) => ({ body: from + i })) })
          if (((await res.json()) as { success: boolean }).success) for (let i = 0; i < 10; i++) acknowledged.push(from + i)
        } catch {
          return // the server is gone
        }
      }
    }
    const senders = Array.from({ length: 4 }, sender)
    while (acknowledged.length < 300) await new Promise((r) => setTimeout(r, 5))
    killed = true
    await killServerProcess(first)
    await Promise.all(senders)

    const second = await startServerProcess(dataDir)
    running.push(second)
    const found = new Set<number>()
    for (;;) {
      const pulled = ((await (await call(second, `/${queue.queue_id}/messages/pull`, { batch_size: 100, visibility_timeout_ms: 600_000 })).json()) as any).result
      if (pulled.messages.length === 0) break
      for (const m of pulled.messages) found.add(JSON.parse(m.body))
    }
    const lost = acknowledged.filter((n) => !found.has(n))
    assert.deepEqual(lost, [], `${lost.length} of ${acknowledged.length} acknowledged messages were lost`)
  })
})
