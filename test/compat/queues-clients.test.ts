import Cloudflare from 'cloudflare'
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { jsonBody, startTestPlatform, type TestPlatform } from '../helpers/platform.js'
import { createWrangler, describeRun, succeeded, type Wrangler } from '../helpers/wrangler.js'

const CONSUMER = `export default {
  async fetch() { return new Response('consumer') },
  async queue(batch, env) {},
}`

describe('Queues REST API through the cloudflare SDK, wrangler and curl-style requests', () => {
  let t: TestPlatform
  let cf: Cloudflare
  let w: Wrangler
  let account_id: string
  before(async () => {
    t = await startTestPlatform()
    cf = new Cloudflare({ baseURL: t.platform.apiUrl, apiToken: t.token, maxRetries: 0 })
    w = createWrangler(t)
    account_id = t.accountId
  })
  after(async () => {
    w?.close()
    await t?.close()
  })

  it('the SDK creates, lists, gets, updates and deletes queues with Cloudflare shapes and errors', async () => {
    const q = await cf.queues.create({ account_id, queue_name: 'sdk-orders' })
    assert.match(q.queue_id!, /^[0-9a-f]{32}$/)
    assert.equal(q.queue_name, 'sdk-orders')
    assert.deepEqual(q.settings, { delivery_delay: 0, delivery_paused: false, message_retention_period: 345600 })
    assert.equal(q.consumers_total_count, 0)

    const names: string[] = []
    for await (const x of cf.queues.list({ account_id })) names.push(x.queue_name!)
    assert.deepEqual(names, ['sdk-orders'])
    const patched = await cf.queues.edit(q.queue_id!, { account_id, settings: { delivery_delay: 5 } })
    assert.deepEqual(patched.settings, { delivery_delay: 5, delivery_paused: false, message_retention_period: 345600 })
    const replaced = await cf.queues.update(q.queue_id!, { account_id, queue_name: 'sdk-orders-2', settings: { message_retention_period: 120 } })
    assert.deepEqual([replaced.queue_name, replaced.settings?.delivery_delay, replaced.settings?.message_retention_period], ['sdk-orders-2', 0, 120])

    await assert.rejects(cf.queues.create({ account_id, queue_name: 'sdk-orders-2' }), (e: any) => e.status === 409 && e.errors[0].code === 11009)
    await assert.rejects(cf.queues.create({ account_id, queue_name: 'bad name!' }), (e: any) => e.status === 400 && e.errors[0].code === 11003)
    await assert.rejects(
      cf.queues.edit(q.queue_id!, { account_id, settings: { message_retention_period: 10 } }),
      (e: any) => e.status === 400 && e.errors[0].code === 11006,
    )
    assert.equal((await cf.queues.get(q.queue_id!, { account_id })).settings?.message_retention_period, 120, 'a refused edit changed nothing')

    const other = await t.otherAccount()
    const foreign = await t.json(`/accounts/${other.accountId}/queues/${q.queue_id}`, { token: other.token })
    assert.equal(foreign.status, 404)
    assert.equal(foreign.body.errors[0].code, 11000, 'another account never sees the queue')

    await cf.queues.delete(q.queue_id!, { account_id })
    await assert.rejects(cf.queues.get(q.queue_id!, { account_id }), (e: any) => e.status === 404 && e.errors[0].code === 11000)
  })

  it('HTTP pull consumers: push single and batch, pull with leases, retry, ack, and purge', async () => {
    const q = await cf.queues.create({ account_id, queue_name: 'pulled' })
    const id = q.queue_id!
    await cf.queues.consumers.create(id, { account_id, type: 'http_pull', settings: { batch_size: 5, max_retries: 1, visibility_timeout_ms: 60_000 } } as any)
    await cf.queues.messages.push(id, { account_id, body: 'hello', content_type: 'text' })
    await cf.queues.messages.bulkPush(id, { account_id, messages: [{ body: { n: 1 }, content_type: 'json' }, { body: { n: 2 }, content_type: 'json' }] } as any)
    await cf.queues.messages.push(id, { account_id, body: 'later', content_type: 'text', delay_seconds: 3600 })

    const pulled = await cf.queues.messages.pull(id, { account_id, batch_size: 10 })
    const messages = pulled.messages!
    assert.deepEqual(messages.map((m) => m.body), ['hello', '{"n":1}', '{"n":2}'])
    assert.deepEqual(messages.map((m) => m.attempts), [1, 1, 1])
    assert.equal(pulled.message_backlog_count, 4)
    assert.equal((await cf.queues.messages.pull(id, { account_id })).messages!.length, 0, 'leased messages are invisible')

    const acked = await cf.queues.messages.ack(id, {
      account_id,
      acks: [{ lease_id: messages[0]!.lease_id! }, { lease_id: messages[1]!.lease_id! }],
      retries: [{ lease_id: messages[2]!.lease_id!, delay_seconds: 0 }],
    })
    assert.deepEqual([acked.ackCount, acked.retryCount], [2, 1])
    const again = (await cf.queues.messages.pull(id, { account_id })).messages!
    assert.deepEqual(again.map((m) => [m.body, m.attempts]), [['{"n":2}', 2]])

    // Oversized input is refused whole.
    const big = 'x'.repeat(128 * 1024 + 1)
    const refused = await t.json(`/accounts/${account_id}/queues/${id}/messages`, { method: 'POST', ...jsonBody({ body: big, content_type: 'text' }) })
    assert.equal(refused.status, 413)
    const tooMany = await t.json(`/accounts/${account_id}/queues/${id}/messages/batch`, {
      method: 'POST',
      ...jsonBody({ messages: Array.from({ length: 101 }, () => ({ body: 'x', content_type: 'text' })) }),
    })
    assert.equal(tooMany.status, 400)
    assert.equal((await cf.queues.messages.pull(id, { account_id })).message_backlog_count, 2, 'nothing refused was stored')

    await t.json(`/accounts/${account_id}/queues/${id}/purge`, { method: 'POST', ...jsonBody({ delete_messages_permanently: true }) })
    assert.equal((await cf.queues.messages.pull(id, { account_id })).message_backlog_count, 0)
  })

  it('wrangler queues create, list, info, consumer add/remove and delete; deploy registers [[queues.consumers]]', async () => {
    succeeded(await w.run(['queues', 'create', 'jobs', '--delivery-delay-secs', '2']))
    const listed = succeeded(await w.run(['queues', 'list']))
    assert.match(listed.stdout, /jobs/)

    w.write({
      'wrangler.toml': `name = "jobs-consumer"\nmain = "src/index.js"\ncompatibility_date = "2025-01-01"\n\n[[queues.consumers]]\nqueue = "jobs"\nmax_batch_size = 4\nmax_batch_timeout = 1\nmax_retries = 2\ndead_letter_queue = "jobs-dlq"\n`,
      'src/index.js': CONSUMER,
    })
    const deployed = succeeded(await w.run(['deploy']))
    assert.match(deployed.stdout, /Consumer for jobs/, describeRun(deployed))
    const info = succeeded(await w.run(['queues', 'info', 'jobs']))
    assert.match(info.stdout, /Number of Consumers: 1/)
    assert.match(info.stdout, /worker:jobs-consumer/)
    const [queue] = (await t.json(`/accounts/${account_id}/queues?name=jobs`)).body.result
    assert.deepEqual(queue.consumers[0].settings, { batch_size: 4, max_concurrency: null, max_retries: 2, max_wait_time_ms: 1000, retry_delay: 0 })
    assert.equal(queue.consumers[0].dead_letter_queue, 'jobs-dlq')

    // A second deploy updates the consumer in place (PUT), it does not add one.
    succeeded(await w.run(['deploy']))
    assert.equal((await t.json(`/accounts/${account_id}/queues/${queue.queue_id}/consumers`)).body.result.length, 1)

    succeeded(await w.run(['queues', 'consumer', 'remove', 'jobs', 'jobs-consumer']))
    assert.equal((await t.json(`/accounts/${account_id}/queues/${queue.queue_id}/consumers`)).body.result.length, 0)
    succeeded(await w.run(['queues', 'consumer', 'add', 'jobs', 'jobs-consumer', '--batch-size', '7']))
    assert.equal((await t.json(`/accounts/${account_id}/queues/${queue.queue_id}/consumers`)).body.result[0].settings.batch_size, 7)

    // A Worker without a queue handler cannot consume (Cloudflare's 11001).
    w.write({ 'wrangler.toml': 'name = "no-handler"\nmain = "src/index.js"\ncompatibility_date = "2025-01-01"\n', 'src/index.js': 'export default { fetch() { return new Response("x") } }' })
    succeeded(await w.run(['deploy']))
    const refused = await t.json(`/accounts/${account_id}/queues/${queue.queue_id}/consumers`, { method: 'POST', ...jsonBody({ type: 'worker', script_name: 'no-handler' }) })
    assert.equal(refused.body.errors[0].code, 11001)

    // [[queues.producers]]: wrangler checks the queue exists, then uploads a queue binding (also into a dispatch namespace).
    await t.json(`/accounts/${account_id}/workers/dispatch/namespaces`, { method: 'POST', ...jsonBody({ name: 'tenants' }) })
    w.write({
      'wrangler.toml': 'name = "jobs-producer"\nmain = "src/index.js"\ncompatibility_date = "2025-01-01"\n\n[[queues.producers]]\nbinding = "JOBS"\nqueue = "jobs"\n',
      'src/index.js': 'export default { async fetch(r, env) { await env.JOBS.send("hi"); return new Response("sent") } }',
    })
    // The namespace first: wrangler reads the account script's settings to decide what a binding inherits.
    for (const args of [['deploy', '--dispatch-namespace', 'tenants'], ['deploy']]) {
      const r = succeeded(await w.run(args))
      assert.match(r.stdout, /env\.JOBS \(jobs\)\s+Queue/, describeRun(r))
    }
    const settings = await t.json(`/accounts/${account_id}/workers/dispatch/namespaces/tenants/scripts/jobs-producer/settings`)
    assert.deepEqual(settings.body.result.bindings, [{ type: 'queue', name: 'JOBS', queue_name: 'jobs' }])
    w.write({ 'wrangler.toml': 'name = "jobs-producer"\nmain = "src/index.js"\ncompatibility_date = "2025-01-01"\n\n[[queues.producers]]\nbinding = "JOBS"\nqueue = "missing"\n' })
    // A queue that does not exist yet is provisioned by wrangler (POST /queues) before the upload.
    succeeded(await w.run(['deploy']))
    assert.equal((await t.json(`/accounts/${account_id}/queues?name=missing`)).body.result.length, 1)

    succeeded(await w.run(['queues', 'delete', 'jobs']))
    assert.deepEqual((await t.json(`/accounts/${account_id}/queues?name=jobs`)).body.result, [])
  })
})
