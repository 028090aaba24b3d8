import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
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

  before(async () => {
    t = await startTestPlatform()
    await t.json(`/accounts/${t.accountId}/workers/dispatch/namespaces`, { method: 'POST', ...jsonBody({ name: 'ns' }) })
    base = `/accounts/${t.accountId}/workers/dispatch/namespaces/ns/scripts`
    const form = new FormData()
    form.append('metadata', JSON.stringify({ main_module: 'worker.js', bindings: [{ type: 'plain_text', name: 'VAR', text: 'v' }] }))
    form.append('worker.js', new File([CODE], 'worker.js', { type: 'application/javascript+module' }))
    assert.equal((await t.json(path(), { method: 'PUT', body: form })).status, 200)
  })
  after(() => t.close())

  it('puts, lists, gets and deletes a secret without ever showing its value', async () => {
    const put = await t.json(path('/secrets'), { method: 'PUT', ...jsonBody({ name: 'API_KEY', text: 's3cr3t-one', type: 'secret_text' }) })
    assert.equal(put.status, 200, JSON.stringify(put.body))
    assert.deepEqual(put.body.result, { name: 'API_KEY', type: 'secret_text' })

    const list = await t.json(path('/secrets'))
    assert.deepEqual(list.body.result, [{ name: 'API_KEY', type: 'secret_text' }])
    const one = await t.json(path('/secrets/API_KEY'))
    assert.deepEqual(one.body.result, { name: 'API_KEY', type: 'secret_text' })
    for (const res of [put, list, one, await t.json(path('/bindings')), await t.json(path('/settings')), await t.json(path())]) {
      neverShown(res.body)
    }
    assert.equal(await content(), CODE, 'a secret change keeps the code')

    // Replacing the value keeps one binding of that name.
    await t.json(path('/secrets'), { method: 'PUT', ...jsonBody({ name: 'API_KEY', text: 's3cr3t-two', type: 'secret_text' }) })
    const bindings = await t.json(path('/bindings'))
    assert.deepEqual(bindings.body.result, [{ type: 'plain_text', name: 'VAR', text: 'v' }, { name: 'API_KEY', type: 'secret_text' }])
    // The stored version really holds the latest value (the edge reads it from there).
    const script = await t.platform.store.scripts.get({ accountId: t.accountId, namespaceId: (await t.platform.store.namespaces.get(t.accountId, 'ns'))!.id }, 'app')
    const version = await t.platform.store.scripts.version(script!.currentVersionId)
    assert.deepEqual(version!.bindings.find((b) => b.name === 'API_KEY'), { type: 'secret_text', name: 'API_KEY', text: 's3cr3t-two' })

    const del = await t.json(path('/secrets/API_KEY'), { method: 'DELETE' })
    assert.equal(del.status, 200)
    assert.equal(del.body.result, null)
    assert.deepEqual((await t.json(path('/secrets'))).body.result, [])
    const missing = await t.json(path('/secrets/API_KEY'))
    assert.equal(missing.status, 404)
    assert.equal(missing.body.errors[0].code, 10056)
    assert.equal((await t.json(path('/secrets/API_KEY'), { method: 'DELETE' })).status, 404)
  })

  it('survives a re-upload that does not redefine it', async () => {
    await t.json(path('/secrets'), { method: 'PUT', ...jsonBody({ name: 'SURVIVOR', text: 's3cr3t-one', type: 'secret_text' }) })
    const form = new FormData()
    form.append('metadata', JSON.stringify({ main_module: 'worker.js', bindings: [] }))
    form.append('worker.js', new File([CODE], 'worker.js', { type: 'application/javascript+module' }))
    assert.equal((await t.json(path(), { method: 'PUT', body: form })).status, 200)
    assert.deepEqual((await t.json(path('/secrets'))).body.result, [{ name: 'SURVIVOR', type: 'secret_text' }])
  })

  it('supports url_encoded names', async () => {
    const name = 'A/B'
    await t.json(path('/secrets'), { method: 'PUT', ...jsonBody({ name: 'A_B', text: 's3cr3t-one', type: 'secret_text' }) })
    const encoded = encodeURIComponent(encodeURIComponent('A_B'))
    assert.equal((await t.json(path(`/secrets/${encoded}?url_encoded=true`))).status, 200)
    const notFound = await t.json(path(`/secrets/${encodeURIComponent(encodeURIComponent(name))}?url_encoded=true`))
    assert.equal(notFound.status, 404)
    assert.match(notFound.body.errors[0].message, /Secret 'A\/B' not found/)
    assert.equal((await t.json(path(`/secrets/${encoded}?url_encoded=true`), { method: 'DELETE' })).status, 200)
  })

  it('applies a bulk merge patch: objects upsert, null deletes, absent stays', async () => {
    await t.json(path('/secrets'), { method: 'PUT', ...jsonBody({ name: 'STAYS', text: 's3cr3t-one', type: 'secret_text' }) })
    await t.json(path('/secrets'), { method: 'PUT', ...jsonBody({ name: 'GOES', text: 's3cr3t-two', type: 'secret_text' }) })
    const res = await t.json(path('/secrets-bulk'), {
      method: 'PATCH',
      ...jsonBody({
        secrets: { NEW_A: { name: 'NEW_A', type: 'secret_text', text: 'bulk-value-a' }, NEW_B: { text: 'bulk-value-b' }, GOES: null, NEVER_EXISTED: null },
      }),
    })
    assert.equal(res.status, 200, JSON.stringify(res.body))
    neverShown(res.body)
    const names = (await t.json(path('/secrets'))).body.result.map((s: { name: string }) => s.name).sort()
    assert.deepEqual(names, ['NEW_A', 'NEW_B', 'STAYS', 'SURVIVOR'])
    assert.deepEqual(Object.keys(res.body.result).sort(), names)
  })

  it('refuses bad secrets and changes nothing', async () => {
    const before = (await t.json(path('/bindings'))).body.result
    const cases: Array<[unknown, number, number, RegExp]> = [
      [{ name: 'X', text: 1, type: 'secret_text' }, 400, 10021, /binding 'X' of type secret_text: text/],
      [{ name: 'bad-name', text: 'v', type: 'secret_text' }, 400, 10021, /Binding name 'bad-name' is invalid/],
      [{ name: 'P', text: 'v', type: 'plain_text' }, 400, 10021, /must be of type secret_text or secret_key/],
      [{ name: 'P', text: 'v', type: 'martian' }, 400, 10021, /Unknown binding type 'martian'/],
      [{ text: 'v', type: 'secret_text' }, 400, 10021, /has no name/],
    ]
    for (const [body, status, code, message] of cases) {
      const res = await t.json(path('/secrets'), { method: 'PUT', ...jsonBody(body) })
      assert.equal(res.status, status, JSON.stringify(body))
      assert.equal(res.body.errors[0].code, code)
      assert.match(res.body.errors[0].message, message)
    }
    const notJson = await t.json(path('/secrets'), { method: 'PUT', body: '{', headers: { 'content-type': 'application/json' } })
    assert.equal(notJson.status, 400)
    assert.equal(notJson.body.errors[0].code, 10026)
    const bulk = await t.json(path('/secrets-bulk'), { method: 'PATCH', ...jsonBody({ secrets: { OK: { text: 'fine' }, BAD: { text: 2 } } }) })
    assert.equal(bulk.status, 400)
    assert.equal(bulk.body.errors[0].code, 10021)
    const renamed = await t.json(path('/secrets-bulk'), { method: 'PATCH', ...jsonBody({ secrets: { A: { name: 'B', text: 'x' } } }) })
    assert.equal(renamed.status, 400)
    assert.deepEqual((await t.json(path('/bindings'))).body.result, before)

    const noScript = await t.json(`${base}/ghost/secrets`, { method: 'PUT', ...jsonBody({ name: 'X', text: 'v', type: 'secret_text' }) })
    assert.equal(noScript.status, 404)
    assert.equal(noScript.body.errors[0].code, 10092)
  })

  it('concurrent secret puts all land', async () => {
    const names = Array.from({ length: 8 }, (_, i) => `PAR_${i}`)
    const results = await Promise.all(
      names.map((name) => t.json(path('/secrets'), { method: 'PUT', ...jsonBody({ name, text: 'v', type: 'secret_text' }) })),
    )
    assert.ok(results.every((r) => r.status === 200), JSON.stringify(results.map((r) => r.body.errors)))
    const listed = (await t.json(path('/secrets'))).body.result.map((s: { name: string }) => s.name)
    for (const name of names) assert.ok(listed.includes(name), `${name} was lost`)
  })
})
