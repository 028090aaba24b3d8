import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { loadKeySource } from '../../src/secrets/key-source.js'
import { openBinding } from '../../src/secrets/secret-bindings.js'
import { jsonBody, startTestPlatform, type TestPlatform } from '../helpers/platform.js'

const CODE = 'export default { fetch() { return new Response("ok") } }'

describe('namespace script secrets', () => {
  let t: TestPlatform
  let base: string
  const path = (rest = '') => `${base}/app${rest}`
  const secretValues = ['s3cr3t-one', 's3cr3t-two', 'bulk-value-a', 'bulk-value-b']
  const neverShown = (body: unknown) => {
    const text = JSON.stringify(body)
    for (const v of secretValues) assert.ok(!text.includes(v), `a secret value leaked: ${text}`)
  }
  const content = async () => (await t.api(path('/content'))).text()
  const putSecret = (name: string, text: string, script = path()) =>
    t.json(`${script}/secrets`, { method: 'PUT', ...jsonBody({ name, text, type: 'secret_text' }) })
  const secretNames = async (): Promise<string[]> =>
    (await t.json(path('/secrets'))).body.result.map((s: { name: string }) => s.name).sort()

  before(async () => {
    t = await startTestPlatform()
    const namespaces = `/accounts/${t.accountId}/workers/dispatch/namespaces`
    await t.json(namespaces, { method: 'POST', ...jsonBody({ name: 'ns' }) })
    base = `${namespaces}/ns/scripts`
    const form = new FormData()
    const bindings = [{ type: 'plain_text', name: 'VAR', text: 'v' }]
    form.append('metadata', JSON.stringify({ main_module: 'worker.js', bindings }))
    form.append('worker.js', new File([CODE], 'worker.js', { type: 'application/javascript+module' }))
    assert.equal((await t.json(path(), { method: 'PUT', body: form })).status, 200)
  })
  after(() => t.close())

  it('puts, lists, gets and deletes a secret without ever showing its value', async () => {
    const put = await putSecret('API_KEY', 's3cr3t-one')
    assert.equal(put.status, 200, JSON.stringify(put.body))
    assert.deepEqual(put.body.result, { name: 'API_KEY', type: 'secret_text' })

    const list = await t.json(path('/secrets'))
    assert.deepEqual(list.body.result, [{ name: 'API_KEY', type: 'secret_text' }])
    const one = await t.json(path('/secrets/API_KEY'))
    assert.deepEqual(one.body.result, { name: 'API_KEY', type: 'secret_text' })
    const others = [await t.json(path('/bindings')), await t.json(path('/settings')), await t.json(path())]
    for (const res of [put, list, one, ...others]) neverShown(res.body)
    assert.equal(await content(), CODE, 'a secret change keeps the code')

    // Replacing the value keeps one binding of that name.
    await putSecret('API_KEY', 's3cr3t-two')
    const bindings = await t.json(path('/bindings'))
    assert.deepEqual(bindings.body.result, [
      { type: 'plain_text', name: 'VAR', text: 'v' },
      { name: 'API_KEY', type: 'secret_text' },
    ])
    // The stored version really holds the latest value (the edge reads it from there), sealed with
    // the data dir's key: no plaintext at rest.
    const namespace = await t.platform.store.namespaces.get(t.accountId, 'ns')
    const scope = { accountId: t.accountId, namespaceId: namespace!.id }
    const script = await t.platform.store.scripts.get(scope, 'app')
    const version = await t.platform.store.scripts.version(script!.currentVersionId)
    const stored = version!.bindings.find((b) => b.name === 'API_KEY')
    assert.ok(!JSON.stringify(stored).includes('s3cr3t'), JSON.stringify(stored))
    const { keyring } = loadKeySource({ dataDir: t.dataDir, storage: 'sqlite' })
    assert.deepEqual(openBinding(keyring, stored!), { type: 'secret_text', name: 'API_KEY', text: 's3cr3t-two' })

    const del = await t.json(path('/secrets/API_KEY'), { method: 'DELETE' })
    assert.equal(del.status, 200)
    assert.equal(del.body.result, null)
    assert.deepEqual(await secretNames(), [])
    const missing = await t.json(path('/secrets/API_KEY'))
    assert.equal(missing.status, 404)
    assert.equal(missing.body.errors[0].code, 10056)
    assert.equal((await t.json(path('/secrets/API_KEY'), { method: 'DELETE' })).status, 404)
  })

  it('survives a re-upload that does not redefine it', async () => {
    await putSecret('SURVIVOR', 's3cr3t-one')
    const form = new FormData()
    form.append('metadata', JSON.stringify({ main_module: 'worker.js', bindings: [] }))
    form.append('worker.js', new File([CODE], 'worker.js', { type: 'application/javascript+module' }))
    assert.equal((await t.json(path(), { method: 'PUT', body: form })).status, 200)
    assert.deepEqual(await secretNames(), ['SURVIVOR'])
  })

  it('supports url_encoded names', async () => {
    const twice = (name: string) => encodeURIComponent(encodeURIComponent(name))
    await putSecret('A_B', 's3cr3t-one')
    assert.equal((await t.json(path(`/secrets/${twice('A_B')}?url_encoded=true`))).status, 200)
    const notFound = await t.json(path(`/secrets/${twice('A/B')}?url_encoded=true`))
    assert.equal(notFound.status, 404)
    assert.match(notFound.body.errors[0].message, /Secret 'A\/B' not found/)
    const deleted = await t.json(path(`/secrets/${twice('A_B')}?url_encoded=true`), { method: 'DELETE' })
    assert.equal(deleted.status, 200)
  })

  it('applies a bulk merge patch: objects upsert, null deletes, absent stays', async () => {
    await putSecret('STAYS', 's3cr3t-one')
    await putSecret('GOES', 's3cr3t-two')
    const secrets = {
      NEW_A: { name: 'NEW_A', type: 'secret_text', text: 'bulk-value-a' },
      NEW_B: { text: 'bulk-value-b' },
      GOES: null,
      NEVER_EXISTED: null,
    }
    const res = await t.json(path('/secrets-bulk'), { method: 'PATCH', ...jsonBody({ secrets }) })
    assert.equal(res.status, 200, JSON.stringify(res.body))
    neverShown(res.body)
    const names = await secretNames()
    assert.deepEqual(names, ['NEW_A', 'NEW_B', 'STAYS', 'SURVIVOR'])
    assert.deepEqual(Object.keys(res.body.result).sort(), names)
  })

  it('refuses bad secrets and changes nothing', async () => {
    const before = (await t.json(path('/bindings'))).body.result
    const cases: Array<[unknown, number, RegExp]> = [
      [{ name: 'X', text: 1, type: 'secret_text' }, 10021, /binding 'X' of type secret_text: text/],
      [{ name: 'bad-name', text: 'v', type: 'secret_text' }, 10021, /Binding name 'bad-name' is invalid/],
      [{ name: 'P', text: 'v', type: 'plain_text' }, 10021, /must be of type secret_text or secret_key/],
      [{ name: 'P', text: 'v', type: 'martian' }, 10021, /Unknown binding type 'martian'/],
      [{ text: 'v', type: 'secret_text' }, 10021, /has no name/],
      [{ name: 'HUGE', text: 'x'.repeat(5121), type: 'secret_text' }, 10021, /Binding 'HUGE' is 5121 bytes/],
    ]
    for (const [body, code, message] of cases) {
      const res = await t.json(path('/secrets'), { method: 'PUT', ...jsonBody(body) })
      assert.equal(res.status, 400, JSON.stringify(body))
      assert.equal(res.body.errors[0].code, code)
      assert.match(res.body.errors[0].message, message)
    }
    const notJson = await t.json(path('/secrets'), {
      method: 'PUT',
      body: '{',
      headers: { 'content-type': 'application/json' },
    })
    assert.equal(notJson.status, 400)
    assert.equal(notJson.body.errors[0].code, 10026)
    const bulk = (secrets: unknown) =>
      t.json(path('/secrets-bulk'), { method: 'PATCH', ...jsonBody({ secrets }) })
    const halfBad = await bulk({ OK: { text: 'fine' }, BAD: { text: 2 } })
    assert.equal(halfBad.status, 400)
    assert.equal(halfBad.body.errors[0].code, 10021)
    assert.equal((await bulk({ A: { name: 'B', text: 'x' } })).status, 400)
    assert.equal((await bulk(['not', 'an', 'object'])).status, 400)
    assert.deepEqual((await t.json(path('/bindings'))).body.result, before)

    const noScript = await putSecret('X', 'v', `${base}/ghost`)
    assert.equal(noScript.status, 404)
    assert.equal(noScript.body.errors[0].code, 10092)
  })

  it('concurrent secret puts all land', async () => {
    const names = Array.from({ length: 8 }, (_, i) => `PAR_${i}`)
    const results = await Promise.all(names.map((name) => putSecret(name, 'v')))
    assert.ok(results.every((r) => r.status === 200), JSON.stringify(results.map((r) => r.body.errors)))
    const listed = await secretNames()
    for (const name of names) assert.ok(listed.includes(name), `${name} was lost`)
  })
})
