import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { createNamespace, deployDispatcher, edge, namespaceScriptPath } from '../helpers/edge.js'
import { jsonBody, startTestPlatform, type TestPlatform } from '../helpers/platform.js'
import { moduleWorker, wranglerForm } from './helpers/account-scripts.js'

const OVERRIDES = 'Cloudflare-Workers-Version-Overrides'

/**
 * Gradual deployments at the edge: a deployment of two versions splits traffic by its shares, the
 * override header pins a version of the deployment, and the versions and deployments endpoints work
 * for namespace scripts as for account scripts. Each Worker answers `<label> <version id>`, the id
 * read from its version_metadata binding, so every answer says which version ran.
 */
describe('gradual deployments through the edge', () => {
  let t: TestPlatform
  let workers: string
  before(async () => {
    t = await startTestPlatform()
    workers = `/accounts/${t.accountId}/workers`
  })
  after(() => t.close())

  const form = (label: string) =>
    wranglerForm(
      { main_module: 'index.js', compatibility_date: '2025-06-01', bindings: [{ type: 'version_metadata', name: 'VERSION' }] },
      [moduleWorker(`return new Response(${JSON.stringify(label)} + ' ' + env.VERSION.id)`)],
    )

  /** Uploads the first version (deployed) at `script`, then `labels.length - 1` versions not deployed. */
  async function versionsOf(script: string, labels: string[]): Promise<string[]> {
    const first = await t.json(script, { method: 'PUT', body: form(labels[0]!) })
    assert.equal(first.status, 200, JSON.stringify(first.body))
    const ids = [first.body.result.deployment_id]
    for (const label of labels.slice(1)) {
      const v = await t.json(`${script}/versions`, { method: 'POST', body: form(label) })
      assert.equal(v.status, 200, JSON.stringify(v.body))
      ids.push(v.body.result.id)
    }
    return ids
  }

  const deploy = (script: string, versions: Array<[string, number]>) =>
    t.json(`${script}/deployments`, {
      method: 'POST',
      ...jsonBody({ strategy: 'percentage', versions: versions.map(([id, p]) => ({ version_id: id, percentage: p })) }),
    })

  /** Sends `n` requests, 20 at a time, and counts the answers. */
  async function tally(host: string, path: string, n: number, headers: Record<string, string> = {}): Promise<Map<string, number>> {
    const counts = new Map<string, number>()
    for (let sent = 0; sent < n; sent += 20) {
      const batch = await Promise.all(Array.from({ length: Math.min(20, n - sent) }, () => edge(t, host, path, { headers })))
      for (const r of batch) {
        assert.equal(r.status, 200, r.text)
        counts.set(r.text, (counts.get(r.text) ?? 0) + 1)
      }
    }
    return counts
  }

  /** 40/60 over 400 requests: each share lands within 25–75 % (more than six standard deviations). */
  function assertSplit(counts: Map<string, number>, expected: string[]): void {
    assert.deepEqual([...counts.keys()].sort(), [...expected].sort(), 'both versions serve, and nothing else')
    for (const [answer, n] of counts) assert.ok(n >= 100 && n <= 300, `${answer} served ${n} of 400`)
  }

  it('splits an account Worker 40/60, and version_metadata names the version that ran', async () => {
    const script = `${workers}/scripts/split`
    const [v1, v2] = await versionsOf(script, ['one', 'two'])
    const deployed = await deploy(script, [[v1!, 40], [v2!, 60]])
    assert.equal(deployed.status, 200, JSON.stringify(deployed.body))
    assert.deepEqual(deployed.body.result.versions, [
      { version_id: v1, percentage: 40 },
      { version_id: v2, percentage: 60 },
    ])
    assertSplit(await tally('split.admin.localhost', '/', 400), [`one ${v1}`, `two ${v2}`])
  })

  it('pins the version an override names, and ignores one for a version outside the deployment', async () => {
    const script = `${workers}/scripts/pinned`
    const [v1, v2, v3] = await versionsOf(script, ['one', 'two', 'three'])
    // The smoke test Cloudflare documents: the new version at 0 %, reached only through an override.
    assert.equal((await deploy(script, [[v2!, 100], [v3!, 0]])).status, 200)
    const host = 'pinned.admin.localhost'
    assert.deepEqual([...(await tally(host, '/', 40)).keys()], [`two ${v2}`])
    const pinned = await tally(host, '/', 40, { [OVERRIDES]: `other="${v2}", pinned="${v3}"` })
    assert.deepEqual([...pinned.keys()], [`three ${v3}`])
    const outside = await tally(host, '/', 20, { [OVERRIDES]: `pinned="${v1}"` })
    assert.deepEqual([...outside.keys()], [`two ${v2}`], 'v1 is not part of the deployment')
    const malformed = await tally(host, '/', 20, { [OVERRIDES]: `pinned=${v3}` })
    assert.deepEqual([...malformed.keys()], [`two ${v2}`], 'the value must be a quoted string')
  })

  it('keeps one version per Cloudflare-Workers-Version-Key', async () => {
    const script = `${workers}/scripts/sticky`
    const [v1, v2] = await versionsOf(script, ['one', 'two'])
    assert.equal((await deploy(script, [[v1!, 50], [v2!, 50]])).status, 200)
    const host = 'sticky.admin.localhost'
    assert.equal((await tally(host, '/', 40, { 'Cloudflare-Workers-Version-Key': 'user-7' })).size, 1)
    const byKey = new Set<string>()
    for (let k = 0; k < 60; k++) {
      const r = await edge(t, host, '/', { headers: { 'Cloudflare-Workers-Version-Key': `user-${k}` } })
      byKey.add(r.text)
    }
    assert.equal(byKey.size, 2, 'different keys reach both versions')
  })

  it('lists, splits and rolls back a namespace script through the namespace endpoints', async () => {
    await createNamespace(t, 'customers')
    const host = await deployDispatcher(t, 'customers')
    const script = namespaceScriptPath(t, 'customers', 'shop')
    const [v1, v2] = await versionsOf(script, ['one', 'two'])

    const listed = await t.json(`${script}/versions`)
    assert.equal(listed.status, 200, JSON.stringify(listed.body))
    assert.deepEqual(listed.body.result.items.map((v: { id: string }) => v.id), [v2, v1])
    const one = await t.json(`${script}/versions/${v1}`)
    assert.equal(one.body.result.number, 1)
    assert.deepEqual([...(await tally(host, '/shop', 20)).keys()], [`one ${v1}`], 'an uploaded version is not live')

    const split = await deploy(script, [[v1!, 40], [v2!, 60]])
    assert.equal(split.status, 200, JSON.stringify(split.body))
    assertSplit(await tally(host, '/shop', 400), [`one ${v1}`, `two ${v2}`])
    // The dispatch Worker forwards the request's headers, so an override reaches the user Worker.
    assert.deepEqual([...(await tally(host, '/shop', 20, { [OVERRIDES]: `shop="${v2}"` })).keys()], [`two ${v2}`])

    const back = await deploy(script, [[v1!, 100]])
    assert.equal(back.status, 200, JSON.stringify(back.body))
    assert.deepEqual([...(await tally(host, '/shop', 40)).keys()], [`one ${v1}`], 'the rollback serves on the next request')
    const history = await t.json(`${script}/deployments`)
    assert.deepEqual(
      history.body.result.deployments.map((d: { versions: unknown }) => d.versions),
      [
        [{ version_id: v1, percentage: 100 }],
        [
          { version_id: v1, percentage: 40 },
          { version_id: v2, percentage: 60 },
        ],
        [{ version_id: v1, percentage: 100 }],
      ],
    )
    const single = await t.json(`${script}/deployments/${history.body.result.deployments[1].id}`)
    assert.equal(single.body.result.versions.length, 2)
  })

  it('refuses a bad deployment with Cloudflare’s codes and changes nothing', async () => {
    const script = namespaceScriptPath(t, 'customers', 'strict')
    const [v1, v2] = await versionsOf(script, ['one', 'two'])
    const before = (await t.json(`${script}/deployments`)).body.result.deployments

    const short = await deploy(script, [[v1!, 40], [v2!, 50]])
    assert.equal(short.status, 400)
    assert.equal(short.body.errors[0].code, 10021)
    const unknown = await deploy(script, [[v1!, 40], ['00000000-0000-4000-8000-000000000000', 60]])
    assert.equal(unknown.status, 404)
    assert.equal(unknown.body.errors[0].code, 10007)
    const three = await deploy(script, [[v1!, 40], [v2!, 30], [v1!, 30]])
    assert.equal(three.status, 400)
    // Another script's version is unknown here, whatever its id.
    const foreign = (await t.json(`${namespaceScriptPath(t, 'customers', 'shop')}/versions`)).body.result.items[0].id
    assert.equal((await deploy(script, [[foreign, 100]])).body.errors[0].code, 10007)

    assert.deepEqual((await t.json(`${script}/deployments`)).body.result.deployments, before)
    const host = await deployDispatcher(t, 'customers')
    assert.deepEqual([...(await tally(host, '/strict', 20)).keys()], [`one ${v1}`])
  })

  it('refuses a secret change (10215) unless the newest version alone is deployed', async () => {
    const script = `${workers}/scripts/secretive`
    const [v1, v2] = await versionsOf(script, ['one', 'two'])
    const secret = jsonBody({ name: 'TOKEN', text: 's3cret', type: 'secret_text' })
    const put = () => t.json(`${script}/secrets`, { method: 'PUT', ...secret })

    const uploadedOnly = await put()
    assert.equal(uploadedOnly.status, 400)
    assert.equal(uploadedOnly.body.errors[0].code, 10215)
    assert.equal((await deploy(script, [[v1!, 40], [v2!, 60]])).status, 200)
    const during = await put()
    assert.equal(during.body.errors[0].code, 10215)
    const history = (await t.json(`${script}/deployments`)).body.result.deployments
    assert.deepEqual(history[0].versions, [{ version_id: v1, percentage: 40 }, { version_id: v2, percentage: 60 }])
    assert.equal((await t.json(`${script}/versions`)).body.result.items.length, 2, 'no version was made')

    assert.equal((await deploy(script, [[v2!, 100]])).status, 200)
    assert.equal((await put()).status, 200)
  })

  it('answers 404 for the versions of a script or namespace that does not exist', async () => {
    const missing = await t.json(`${namespaceScriptPath(t, 'customers', 'nobody')}/versions`)
    assert.equal(missing.status, 404)
    assert.equal(missing.body.errors[0].code, 10092)
    const noNamespace = await t.json(`${namespaceScriptPath(t, 'nowhere', 'shop')}/deployments`)
    assert.equal(noNamespace.status, 404)
  })
})
