import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { accountScriptPath, putScript } from '../helpers/edge.js'
import { jsonBody } from '../helpers/platform.js'
import { twoNodesOnPostgres } from '../helpers/two-nodes.js'

// Records every delivery in KV and flags a message it sees a second time.
const CONSUMER = `
export default {
  async queue(batch, env) {
    for (const msg of batch.messages) {
      if (await env.SEEN.get('m:' + msg.id)) await env.SEEN.put('dup:' + msg.id, '1')
      await env.SEEN.put('m:' + msg.id, String(msg.body.i))
    }
  },
}`

describe('queue consumers on two nodes sharing one PostgreSQL store', () => {
  const nodes = twoNodesOnPostgres()

  it('both nodes consume one queue and no message is delivered twice', async () => {
    const [n1, n2] = nodes()
    const kv = (await n1.json(`/accounts/${n1.accountId}/storage/kv/namespaces`, { method: 'POST', ...jsonBody({ title: 'seen' }) })).body.result.id
    const queue = (await n1.json(`/accounts/${n1.accountId}/queues`, { method: 'POST', ...jsonBody({ queue_name: 'shared-jobs' }) })).body.result
    const up = await putScript(n1, accountScriptPath(n1, 'eater'), CONSUMER, { bindings: [{ type: 'kv_namespace', name: 'SEEN', namespace_id: kv }] })
    assert.equal(up.status, 200, JSON.stringify(up.body))
    const consumer = await n1.json(`/accounts/${n1.accountId}/queues/${queue.queue_id}/consumers`, {
      method: 'POST',
      ...jsonBody({ type: 'worker', script_name: 'eater', settings: { batch_size: 5, max_wait_time_ms: 0 } }),
    })
    assert.equal(consumer.status, 200, JSON.stringify(consumer.body))

    // Sends through both nodes' APIs, so both nodes' loops are woken and race for the batches.
    const total = 200
    await Promise.all(
      Array.from({ length: total / 20 }, (_, k) =>
        [n1, n2][k % 2]!.json(`/accounts/${n1.accountId}/queues/${queue.queue_id}/messages/batch`, {
          method: 'POST',
          ...jsonBody({ messages: Array.from({ length: 20 }, (_, i) => ({ body: { i: k * 20 + i } })) }),
        }),
      ),
    )
    const deleted = () =>
      [n1, n2].reduce((n, t) => n + t.platform.queueMeter.snapshot().filter((u) => u.operation === 'delete').reduce((m, u) => m + u.count, 0), 0)
    for (let i = 0; i < 300 && deleted() < total; i++) await new Promise((r) => setTimeout(r, 100))
    assert.equal(deleted(), total, 'every message was acknowledged once, across both nodes')

    const keys = async (prefix: string) =>
      ((await n1.json(`/accounts/${n1.accountId}/storage/kv/namespaces/${kv}/keys?prefix=${prefix}`)).body.result as unknown[]).length
    assert.equal(await keys('m:'), total)
    assert.equal(await keys('dup:'), 0, 'no message was delivered twice')
    assert.equal(await n1.platform.store.queues.backlog(queue.queue_id, Date.now()), 0)
  })
})
