import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js'
import { createWrangler, describeRun, succeeded, type Wrangler } from '../helpers/wrangler.js'

describe('wrangler kv against Workerhive (--remote)', () => {
  let t: TestPlatform
  let w: Wrangler
  let id: string
  before(async () => {
    t = await startTestPlatform()
    w = createWrangler(t)
  })
  after(async () => {
    w?.close()
    await t?.close()
  })

  const kv = () => `/accounts/${t.accountId}/storage/kv/namespaces`
  const remote = (...args: string[]) => w.run(['kv', ...args, '--namespace-id', id, '--remote'])
  const keyNames = async (prefix = '') =>
    ((await t.json(`${kv()}/${id}/keys?prefix=${prefix}`)).body.result as Array<{ name: string }>).map((k) => k.name)

  it('kv namespace create prints the id of the new namespace', async () => {
    const r = succeeded(await w.run(['kv', 'namespace', 'create', 'sessions']))
    // The snippet to paste is JSON without a wrangler.toml, TOML with one.
    id = /"?id"?\s*[:=]\s*"([0-9a-f]{32})"/.exec(r.stdout)?.[1] ?? ''
    assert.ok(id, describeRun(r))
    const listed = (await t.json(kv())).body.result as Array<{ id: string; title: string }>
    assert.deepEqual(listed.map((n) => [n.id, n.title]), [[id, 'sessions']])
  })

  it('kv namespace list pages until an empty page and prints every namespace', async () => {
    succeeded(await w.run(['kv', 'namespace', 'create', 'another']))
    const r = succeeded(await w.run(['kv', 'namespace', 'list']))
    const titles = (JSON.parse(r.stdout) as Array<{ title: string }>).map((n) => n.title)
    assert.deepEqual(titles, ['another', 'sessions'])
  })

  it('kv key put with --ttl and --metadata, then get, list and delete', async () => {
    const before = Math.floor(Date.now() / 1000)
    succeeded(await remote('key', 'put', 'user:1', 'hello world', '--ttl', '3600', '--metadata', '{"owner":"ada"}'))
    succeeded(await remote('key', 'put', 'user:2', 'plain value'))

    assert.equal(succeeded(await remote('key', 'get', 'user:1')).stdout, 'hello world')
    const meta = await t.json(`${kv()}/${id}/metadata/user:1`)
    assert.deepEqual(meta.body.result, { owner: 'ada' })

    const listed = JSON.parse(succeeded(await remote('key', 'list', '--prefix', 'user:')).stdout) as Array<{
      name: string
      expiration?: number
      metadata?: unknown
    }>
    assert.deepEqual(listed.map((k) => k.name), ['user:1', 'user:2'])
    const expiration = listed[0]!.expiration!
    assert.ok(expiration >= before + 3600 && expiration <= before + 3600 + 60, String(expiration))
    assert.deepEqual(listed[0]!.metadata, { owner: 'ada' })
    assert.equal(listed[1]!.expiration, undefined)

    succeeded(await remote('key', 'delete', 'user:2'))
    assert.deepEqual(await keyNames('user:'), ['user:1'])
    const missing = await remote('key', 'get', 'user:2')
    assert.notEqual(missing.code, 0, describeRun(missing))
    assert.match(missing.stderr, /404: Not Found/)
  })

  it('kv bulk put and bulk delete read their JSON files', async () => {
    w.write({
      'bulk.json': JSON.stringify([
        { key: 'bulk:a', value: 'one' },
        { key: 'bulk:b', value: Buffer.from('two').toString('base64'), base64: true, metadata: { n: 2 } },
        { key: 'bulk:c', value: 'three', expiration_ttl: 600 },
      ]),
      'delete.json': JSON.stringify(['bulk:a', 'bulk:c']),
    })
    succeeded(await remote('bulk', 'put', 'bulk.json'))
    assert.deepEqual(await keyNames('bulk:'), ['bulk:a', 'bulk:b', 'bulk:c'])
    assert.equal(succeeded(await remote('key', 'get', 'bulk:b')).stdout, 'two')

    succeeded(await remote('bulk', 'delete', 'delete.json'))
    assert.deepEqual(await keyNames('bulk:'), ['bulk:b'])
  })

  it('kv namespace delete removes the namespace and its keys', async () => {
    succeeded(await w.run(['kv', 'namespace', 'delete', '--namespace-id', id]))
    const titles = ((await t.json(kv())).body.result as Array<{ title: string }>).map((n) => n.title)
    assert.deepEqual(titles, ['another'])
    assert.equal((await t.json(`${kv()}/${id}/keys`)).status, 404)
  })
})
