import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { createNamespace, deployDispatcher, edge } from '../helpers/edge.js'
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js'
import { createWrangler, describeRun, succeeded, type Wrangler } from '../helpers/wrangler.js'

describe('wrangler r2 against Workerhive (--remote)', () => {
  let t: TestPlatform
  let w: Wrangler
  before(async () => {
    t = await startTestPlatform()
    w = createWrangler(t)
  })
  after(async () => {
    w?.close()
    await t?.close()
  })

  const buckets = () => `/accounts/${t.accountId}/r2/buckets`

  it('r2 bucket create, then list shows it with its creation date', async () => {
    succeeded(await w.run(['r2', 'bucket', 'create', 'photos']))
    succeeded(await w.run(['r2', 'bucket', 'create', 'archive', '--storage-class', 'InfrequentAccess', '--location', 'weur']))
    const got = (await t.json(`${buckets()}/archive`)).body.result
    assert.deepEqual([got.name, got.storage_class, got.location], ['archive', 'InfrequentAccess', 'WEUR'])
    const r = succeeded(await w.run(['r2', 'bucket', 'list']))
    assert.match(r.stdout, /name:\s+archive/)
    assert.match(r.stdout, /name:\s+photos/)
    const again = await w.run(['r2', 'bucket', 'create', 'photos'])
    assert.notEqual(again.code, 0, describeRun(again))
    assert.match(again.stderr + again.stdout, /already exists/)
  })

  it('r2 object put, get and delete --remote move the bytes and HTTP metadata', async () => {
    const bytes = Buffer.alloc(300_000, 0)
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7) % 251
    w.write({ 'cat.bin': bytes.toString('latin1') })
    succeeded(
      await w.run(['r2', 'object', 'put', 'photos/cats/1.bin', '--file', 'cat.bin', '--content-type', 'image/x-cat', '--remote']),
    )
    const head = await t.api(`${buckets()}/photos/objects/cats/1.bin`)
    assert.equal(head.status, 200)
    assert.equal(head.headers.get('content-type'), 'image/x-cat')
    assert.deepEqual(Buffer.from(await head.arrayBuffer()), readFileSync(join(w.dir, 'cat.bin')))

    succeeded(await w.run(['r2', 'object', 'get', 'photos/cats/1.bin', '--file', 'back.bin', '--remote']))
    assert.deepEqual(readFileSync(join(w.dir, 'back.bin')), readFileSync(join(w.dir, 'cat.bin')))

    const notEmpty = await w.run(['r2', 'bucket', 'delete', 'photos'])
    assert.notEqual(notEmpty.code, 0, describeRun(notEmpty))
    assert.match(notEmpty.stderr + notEmpty.stdout, /is not empty\. \[code: 10008\]/)

    succeeded(await w.run(['r2', 'object', 'delete', 'photos/cats/1.bin', '--remote']))
    const gone = await t.json(`${buckets()}/photos/objects/cats/1.bin`)
    assert.equal(gone.status, 404)
    assert.equal(gone.body.errors[0].code, 10007)
  })

  it('r2 bucket delete removes an empty bucket; a missing one is 10006', async () => {
    succeeded(await w.run(['r2', 'bucket', 'delete', 'photos']))
    const missing = await t.json(`${buckets()}/photos`)
    assert.equal(missing.status, 404)
    assert.equal(missing.body.errors[0].code, 10006)
    const r = succeeded(await w.run(['r2', 'bucket', 'list']))
    assert.doesNotMatch(r.stdout, /name:\s+photos/)
  })

  it('deploy --dispatch-namespace with [[r2_buckets]]: the user Worker reads what wrangler put', async () => {
    await createNamespace(t, 'tenants')
    const host = await deployDispatcher(t, 'tenants')
    const user = createWrangler(t)
    try {
      user.write({
        'wrangler.toml': 'name = "files"\nmain = "src/index.js"\ncompatibility_date = "2025-06-01"\n\n[[r2_buckets]]\nbinding = "FILES"\nbucket_name = "archive"\n',
        'src/index.js': `export default { async fetch(request, env) {
          const o = await env.FILES.get('readme.txt')
          return new Response(o ? await o.text() : 'missing')
        } }`,
        'readme.txt': 'put by wrangler',
      })
      succeeded(await user.run(['r2', 'object', 'put', 'archive/readme.txt', '--file', 'readme.txt', '--remote']))
      succeeded(await user.run(['deploy', '--dispatch-namespace', 'tenants']))
      assert.equal((await edge(t, host, '/files')).text, 'put by wrangler')
    } finally {
      user.close()
    }
  })

  it('another account sees none of these buckets', async () => {
    const other = await t.otherAccount()
    const listed = await t.json(`/accounts/${other.accountId}/r2/buckets`, { token: other.token })
    assert.deepEqual(listed.body.result.buckets, [])
    const foreign = await t.json(`/accounts/${other.accountId}/r2/buckets/archive`, { token: other.token })
    assert.equal(foreign.status, 404)
  })
})
