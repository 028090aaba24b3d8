import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { createNamespace, deployDispatcher, edge, namespaceScriptPath, putScript } from '../helpers/edge.js'
import { jsonBody, startTestPlatform, type TestPlatform } from '../helpers/platform.js'

// A user Worker produces; another user Worker of the same namespace consumes and records each
// delivery in KV, flagging any message it sees twice.
const PRODUCER = `
export default {
  async fetch(request, env) {
    const url = new URL(request.url)
    const op = url.pathname.split('/')[2]
    try {
      if (op === 'batch') {
        const n = Number(url.searchParams.get('n'))
        const from = Number(url.searchParams.get('from') ?? 0)
        await env.JOBS.sendBatch(Array.from({ length: n }, (_, i) => ({ body: { i: from + i }, contentType: 'json' })))
      }
      if (op === 'poison') await env.JOBS.send({ poison: true }, { contentType: 'json' })
      if (op === 'kinds') {
        await env.JOBS.send('plain text', { contentType: 'text' })
        await env.JOBS.send(new Uint8Array([1, 2, 255]), { contentType: 'bytes' })
        await env.JOBS.send({ when: new Date(0), tags: new Map([['a', 1]]), big: 10n, none: undefined })
      }
      if (op === 'too-big') await env.JOBS.send('x'.repeat(128 * 1024 + 1), { contentType: 'text' })
      if (op === 'too-many') await env.JOBS.sendBatch(Array.from({ length: 101 }, () => ({ body: 1 })))
      if (op === 'bad-type') await env.JOBS.send(42, { contentType: 'text' })
      return new Response('sent')
    } catch (e) {
      return new Response(e.constructor.name + ': ' + e.message, { status: 500 })
    }
  },
}`

const CONSUMER = `
const describe = (b) => {
  if (b instanceof Uint8Array) return { bytes: [...b] }
  if (b && b.when instanceof Date) return { when: b.when.toISOString(), tags: [...b.tags], big: String(b.big), hasNone: 'none' in b }
  return b
}
export default {
  async queue(batch, env) {
    for (const msg of batch.messages) {
      if (msg.body && msg.body.poison) { msg.retry(); continue }
      if (await env.SEEN.get('m:' + msg.id)) await env.SEEN.put('dup:' + msg.id, '1')
      await env.SEEN.put('m:' + msg.id, JSON.stringify({ queue: batch.queue, body: describe(msg.body), attempts: msg.attempts, ts: msg.timestamp.getTime() }))
      msg.ack()
    }
  },
}`

/** Waits for the consumer loop (it runs on its own); 30 s at most, then the caller's assertion fails. */
async function until<T>(read: () => Promise<T>, done: (v: T) => boolean): Promise<T> {
  let value = await read()
  for (let i = 0; i < 300 && !done(value); i++) {
    await new Promise((r) => setTimeout(r, 100))
    value = await read()
  }
  return value
}

describe('Queues: a user Worker produces, a user Worker consumes', () => {
  let t: TestPlatform
  let host: string
  let kv: string
  let dlqId: string
  before(async () => {
    t = await startTestPlatform()
    kv = (await t.json(`/accounts/${t.accountId}/storage/kv/namespaces`, { method: 'POST', ...jsonBody({ title: 'seen' }) })).body.result.id
    const jobs = (await t.json(`/accounts/${t.accountId}/queues`, { method: 'POST', ...jsonBody({ queue_name: 'jobs' }) })).body.result
    dlqId = (await t.json(`/accounts/${t.accountId}/queues`, { method: 'POST', ...jsonBody({ queue_name: 'jobs-dlq' }) })).body.result.queue_id
    await t.json(`/accounts/${t.accountId}/queues/${dlqId}/consumers`, { method: 'POST', ...jsonBody({ type: 'http_pull' }) })
    await createNamespace(t, 'customers')
    host = await deployDispatcher(t, 'customers')
    const p = await putScript(t, namespaceScriptPath(t, 'customers', 'producer'), PRODUCER, { bindings: [{ type: 'queue', name: 'JOBS', queue_name: 'jobs' }] })
    assert.equal(p.status, 200, JSON.stringify(p.body))
    const c = await putScript(t, namespaceScriptPath(t, 'customers', 'consumer'), CONSUMER, { bindings: [{ type: 'kv_namespace', name: 'SEEN', namespace_id: kv }] })
    assert.equal(c.status, 200, JSON.stringify(c.body))
    const consumer = await t.json(`/accounts/${t.accountId}/queues/${jobs.queue_id}/consumers`, {
      method: 'POST',
      ...jsonBody({ type: 'worker', script_name: 'consumer', dispatch_namespace: 'customers', dead_letter_queue: 'jobs-dlq', settings: { batch_size: 10, max_retries: 2, max_wait_time_ms: 0 } }),
    })
    assert.equal(consumer.status, 200, JSON.stringify(consumer.body))
  })
  after(() => t?.close())

  const keys = async (prefix: string) =>
    ((await t.json(`/accounts/${t.accountId}/storage/kv/namespaces/${kv}/keys?prefix=${prefix}`)).body.result as Array<{ name: string }>).map((k) => k.name)
  const value = async (key: string) => JSON.parse(await (await t.api(`/accounts/${t.accountId}/storage/kv/namespaces/${kv}/values/${key}`)).text())

  it('every message is delivered to the consumer exactly once', async () => {
    for (let from = 0; from < 60; from += 20) assert.equal((await edge(t, host, `/producer/batch?n=20&from=${from}`)).text, 'sent')
    const seen = await until(() => keys('m:'), (k) => k.length >= 60)
    assert.equal(seen.length, 60)
    const bodies = await Promise.all(seen.map(value))
    assert.deepEqual(bodies.map((b) => b.body.i).sort((a, b) => a - b), Array.from({ length: 60 }, (_, i) => i))
    assert.ok(bodies.every((b) => b.attempts === 1 && b.queue === 'jobs'))
    assert.deepEqual(await keys('dup:'), [], 'no message was delivered twice')
  })

  it('bodies arrive decoded per content type: text, bytes, and v8 structured-clone values', async () => {
    assert.equal((await edge(t, host, '/producer/kinds')).text, 'sent')
    const seen = await until(() => keys('m:'), (k) => k.length >= 63)
    const bodies = (await Promise.all(seen.map(value))).map((b) => b.body).filter((b) => typeof b !== 'object' || b.i === undefined)
    assert.deepEqual(
      bodies.map((b) => JSON.stringify(b)).sort(),
      ['"plain text"', '{"bytes":[1,2,255]}', '{"when":"1970-01-01T00:00:00.000Z","tags":[["a",1]],"big":"10","hasNone":true}'].sort(),
    )
  })

  it('a queue whose delivery is paused keeps its messages until it is resumed', async () => {
    const [jobs] = (await t.json(`/accounts/${t.accountId}/queues?name=jobs`)).body.result
    const pause = (paused: boolean) => t.json(`/accounts/${t.accountId}/queues/${jobs.queue_id}`, { method: 'PATCH', ...jsonBody({ queue_name: 'jobs', settings: { delivery_paused: paused } }) })
    assert.equal((await pause(true)).body.result.settings.delivery_paused, true)
    assert.equal((await edge(t, host, '/producer/batch?n=1&from=1000')).text, 'sent')
    assert.equal(await t.platform.queueConsumers.pass(), 0, 'no batch starts while delivery is paused')
    assert.equal(await t.platform.store.queues.backlog(jobs.queue_id, Date.now()), 1)
    await pause(false)
    const seen = await until(() => keys('m:'), (k) => k.length >= 64)
    assert.equal(seen.length, 64)
  })

  it('a message retried past max_retries lands in the dead-letter queue', async () => {
    assert.equal((await edge(t, host, '/producer/poison')).text, 'sent')
    const dead = await until(
      async () => (await t.json(`/accounts/${t.accountId}/queues/${dlqId}/messages/pull`, { method: 'POST', ...jsonBody({ batch_size: 10 }) })).body.result.messages,
      (m: Array<{ body: string }>) => m.length > 0,
    )
    assert.deepEqual(dead.map((m) => JSON.parse(m.body)), [{ poison: true }])
  })

  it('oversized messages, batches and wrong bodies are refused with the runtime’s errors, and nothing is sent', async () => {
    const before = (await t.json(`/accounts/${t.accountId}/queues?name=jobs`)).body.result[0]
    const tooBig = await edge(t, host, '/producer/too-big')
    assert.equal(tooBig.status, 500)
    assert.match(tooBig.text, /^Error: Queue send failed: Message of 131073 bytes exceeds the limit of 131072 bytes/)
    assert.match((await edge(t, host, '/producer/too-many')).text, /^Error: Queue sendBatch failed: A batch may contain at most 100 messages/)
    assert.match((await edge(t, host, '/producer/bad-type')).text, /^TypeError: Content Type "text" requires a value of type string/)
    const pulled = await t.json(`/accounts/${t.accountId}/queues/${before.queue_id}`)
    assert.equal(pulled.status, 200)
    assert.deepEqual(await keys('dup:'), [])
  })

  it('an upload binding a queue that does not exist is refused', async () => {
    const res = await putScript(t, namespaceScriptPath(t, 'customers', 'orphan'), PRODUCER, { bindings: [{ type: 'queue', name: 'JOBS', queue_name: 'nope' }] })
    assert.equal(res.status, 400)
    assert.match(res.body.errors[0].message, /Queue 'nope' of binding 'JOBS' does not exist/)
  })

  it('a queue lists the scripts bound to it as producers, with its producer and consumer counts', async () => {
    const [jobs, dlq] = (await t.json(`/accounts/${t.accountId}/queues`)).body.result.sort((a: { queue_name: string }, b: { queue_name: string }) =>
      a.queue_name.localeCompare(b.queue_name),
    )
    assert.deepEqual(jobs.producers, [{ type: 'worker', script: 'producer', dispatch_namespace: 'customers' }])
    assert.deepEqual([jobs.producers_total_count, jobs.consumers_total_count], [1, 1])
    assert.deepEqual([dlq.producers, dlq.producers_total_count, dlq.consumers_total_count], [[], 0, 1])
    const one = (await t.json(`/accounts/${t.accountId}/queues/${jobs.queue_id}`)).body.result
    assert.deepEqual(one.producers, jobs.producers)
  })

  it('consumer and pull batch sizes out of range are refused with 11006, changing nothing', async () => {
    const [consumer] = (await t.json(`/accounts/${t.accountId}/queues/${dlqId}/consumers`)).body.result
    for (const batch_size of [0, 101]) {
      const put = await t.json(`/accounts/${t.accountId}/queues/${dlqId}/consumers/${consumer.consumer_id}`, {
        method: 'PUT',
        ...jsonBody({ type: 'http_pull', settings: { batch_size } }),
      })
      assert.equal(put.status, 400)
      assert.equal(put.body.errors[0].code, 11006)
      assert.match(put.body.errors[0].message, /batch_size must be an integer from 1 to 100/)
      const pull = await t.json(`/accounts/${t.accountId}/queues/${dlqId}/messages/pull`, { method: 'POST', ...jsonBody({ batch_size }) })
      assert.equal(pull.status, 400)
      assert.equal(pull.body.errors[0].code, 11006)
    }
    const after = (await t.json(`/accounts/${t.accountId}/queues/${dlqId}/consumers`)).body.result[0]
    assert.deepEqual(after.settings, consumer.settings)
  })

  it('queue operations are counted per script', () => {
    const usage = t.platform.queueMeter.snapshot()
    const writes = usage.filter((u) => u.script === 'producer' && u.operation === 'write').reduce((n, u) => n + u.count, 0)
    const deletes = usage.filter((u) => u.script === 'consumer' && u.operation === 'delete').reduce((n, u) => n + u.count, 0)
    assert.equal(writes, 65)
    assert.ok(deletes >= 64, String(deletes))
  })
})
