import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { convictForCpu } from '../helpers/containment.js'
import { createNamespace, deployDispatcher, edge, namespaceScriptPath, putScript } from '../helpers/edge.js'
import type { TestPlatform } from '../helpers/platform.js'
import { twoNodesOnPostgres } from '../helpers/two-nodes.js'
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { DevCa } from '../../src/runtime/https/dev-ca.js'

/** Whether a node's HTTPS completes a handshake for `hostname` trusting only `cacert`. */
async function servesTls(t: TestPlatform, cacert: string, hostname: string): Promise<boolean> {
  const port = t.platform.https!.port
  try {
    await promisify(execFile)('curl', ['-sS', '-o', '/dev/null', '--max-time', '10', '--cacert', cacert, '--resolve', `${hostname}:${port}:127.0.0.1`, `https://${hostname}:${port}/`])
    return true
  } catch {
    return false
  }
}

/** Polls (bounded) until `check` passes: another node hears of a change moments after it is made. */
async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (await check()) return
    await new Promise((r) => setTimeout(r, 50))
  }
  assert.fail(`never happened: ${what}`)
}

describe('two nodes sharing one PostgreSQL store', () => {
  const nodes = twoNodesOnPostgres({ usageFlushSeconds: 1, httpsPort: 0 })

  it('joins the same account, and an upload through one node is served by the other', async () => {
    const [n1, n2] = nodes()
    assert.equal(n2.accountId, n1.accountId, 'the second node joined the first account')
    await createNamespace(n1, 'shared')
    const host = await deployDispatcher(n1, 'shared')
    const path = namespaceScriptPath(n1, 'shared', 'app')
    assert.equal((await putScript(n1, path, `export default { fetch() { return new Response('v1') } }`)).status, 200)
    assert.equal((await edge(n2, host, '/app')).text, 'v1')
    // Node B has v1 cached now; v2 uploaded through node A must reach node B's edge.
    assert.equal((await putScript(n1, path, `export default { fetch() { return new Response('v2') } }`)).status, 200)
    assert.equal((await edge(n1, host, '/app')).text, 'v2', 'the uploading node serves it on the next request')
    await eventually(async () => (await edge(n2, host, '/app')).text === 'v2', 'node B serves v2')
    // And the other way round, through node B's API with its own token.
    assert.equal((await putScript(n2, path, `export default { fetch() { return new Response('v3') } }`)).status, 200)
    await eventually(async () => (await edge(n1, host, '/app')).text === 'v3', 'node A serves v3')
  })

  it('a certificate uploaded through one node is served by the other, and goes from both with its hostname', async () => {
    const [n1, n2] = nodes()
    const dir = mkdtempSync(join(tmpdir(), 'workerhive-customer-ca-'))
    try {
      const ca = await DevCa.open(dir)
      const pair = await ca.leaf('shop.two-nodes-customer.com')
      assert.equal(await servesTls(n2, ca.certificatePath, 'shop.two-nodes-customer.com'), false, 'nothing yet (node B remembers the miss)')
      const zone = await n1.json('/zones', { method: 'POST', body: JSON.stringify({ name: 'two-nodes-saas.net' }), headers: { 'content-type': 'application/json' } })
      const zoneId = zone.body.result.id as string
      const created = await n1.json(`/zones/${zoneId}/custom_hostnames`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ hostname: 'shop.two-nodes-customer.com', ssl: { custom_certificate: pair.certificatePem, custom_key: pair.keyPem } }),
      })
      assert.equal(created.status, 201, JSON.stringify(created.body))
      assert.equal(await servesTls(n1, ca.certificatePath, 'shop.two-nodes-customer.com'), true)
      await eventually(() => servesTls(n2, ca.certificatePath, 'shop.two-nodes-customer.com'), 'node B serves the uploaded certificate')
      await n1.json(`/zones/${zoneId}/custom_hostnames/${created.body.result.id}`, { method: 'DELETE' })
      await eventually(async () => !(await servesTls(n2, ca.certificatePath, 'shop.two-nodes-customer.com')), 'node B stops serving it')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('a conviction on one node is refused by the other, and both count into the same counters', async () => {
    const [n1, n2] = nodes()
    await createNamespace(n1, 'contained')
    const host = await deployDispatcher(n1, 'contained')
    await putScript(n1, namespaceScriptPath(n1, 'contained', 'hostile'), `export default { fetch() { while (true) {} } }`)
    await putScript(n1, namespaceScriptPath(n1, 'contained', 'fine'), `export default { fetch() { return new Response('fine') } }`)
    assert.equal((await edge(n2, host, '/fine')).text, 'fine')
    await convictForCpu(n1, host, 'hostile')
    const killsOnB = n2.platform.edge.watchdog.kills
    await eventually(async () => {
      const status = (await n2.json('/workerhive/status')).body.result
      return status.containment.some((e: { key: string; status: string }) => e.key.endsWith('/hostile') && e.status === 'banned')
    }, 'node B lists the conviction')
    const refused = await edge(n2, host, '/hostile')
    assert.equal(refused.status, 502)
    assert.match(refused.text, /^dispatch failed: Worker exceeded CPU time limit\./)
    assert.equal(n2.platform.edge.watchdog.kills, killsOnB, 'node B refused it without running it')

    assert.equal((await edge(n1, host, '/fine')).text, 'fine')
    const fineCount = async (t: TestPlatform) => {
      const rows = (await t.json(`/accounts/${t.accountId}/workerhive/metrics`)).body.result
      return rows.find((m: { script: string; dispatch_namespace: string }) => m.script === 'fine' && m.dispatch_namespace === 'contained')?.invocations
    }
    await eventually(async () => (await fineCount(n1)) === 2 && (await fineCount(n2)) === 2, 'both nodes count both invocations')
  })

  it("adds both nodes' usage into the same totals (GraphQL and the usage export)", async () => {
    const [n1, n2] = nodes()
    await createNamespace(n1, 'metered')
    const host = await deployDispatcher(n1, 'metered')
    await putScript(n1, namespaceScriptPath(n1, 'metered', 'counted'), `export default { fetch() { return new Response('counted') } }`)
    for (let i = 0; i < 3; i++) assert.equal((await edge(n1, host, '/counted')).text, 'counted')
    for (let i = 0; i < 4; i++) assert.equal((await edge(n2, host, '/counted')).text, 'counted')
    const query = `query ($tag: string!, $start: Time!) { viewer { accounts(filter: {accountTag: $tag}) {
      workersInvocationsAdaptive(limit: 10, filter: { scriptName: "counted", dispatchNamespaceName: "metered", datetime_geq: $start }) { sum { requests } } } } }`
    const requests = async (t: TestPlatform): Promise<number | undefined> => {
      const res = await t.json('/graphql', { method: 'POST', body: JSON.stringify({ query, variables: { tag: t.accountId, start: new Date(Date.now() - 3_600_000).toISOString() } }) })
      return res.body.data?.viewer.accounts[0].workersInvocationsAdaptive[0]?.sum.requests
    }
    await eventually(async () => (await requests(n1)) === 7 && (await requests(n2)) === 7, 'both nodes read 7 requests through GraphQL')
    const exported = (await n2.json(`/accounts/${n2.accountId}/workers/usage?group_by=script`)).body.result
    assert.equal(exported.find((r: { script: string }) => r.script === 'counted')?.requests, 7)
  })

  it("adds a script's R2 calls made on both nodes into its own records and its bucket's", async () => {
    const [n1, n2] = nodes()
    await createNamespace(n1, 'stored')
    const host = await deployDispatcher(n1, 'stored')
    await n1.json(`/accounts/${n1.accountId}/r2/buckets`, { method: 'POST', body: JSON.stringify({ name: 'shared-files' }), headers: { 'content-type': 'application/json' } })
    const code = `export default { async fetch(request, env) { await env.B.put('k', 'v'); return new Response(await (await env.B.get('k')).text()) } }`
    const up = await putScript(n1, namespaceScriptPath(n1, 'stored', 'writer'), code, { bindings: [{ type: 'r2_bucket', name: 'B', bucket_name: 'shared-files' }] })
    assert.equal(up.status, 200, JSON.stringify(up.body))
    for (let i = 0; i < 2; i++) assert.equal((await edge(n1, host, '/writer')).text, 'v')
    for (let i = 0; i < 3; i++) assert.equal((await edge(n2, host, '/writer')).text, 'v')
    const row = async (t: TestPlatform) => ((await t.json(`/accounts/${t.accountId}/workers/usage?group_by=script`)).body.result as Array<Record<string, unknown>>).find((r) => r['script'] === 'writer')
    await eventually(async () => {
      const [r1, r2] = [await row(n1), await row(n2)]
      return [r1, r2].every((r) => r?.['r2_class_a'] === 5 && r?.['r2_class_b'] === 5 && r?.['subrequests'] === 10)
    }, "both nodes read the script's 5 class A and 5 class B operations")
    const query = `query ($tag: string!) { viewer { accounts(filter: {accountTag: $tag}) {
      r2OperationsAdaptiveGroups(limit: 10, filter: { bucketName: "shared-files" }, orderBy: [actionType_ASC]) { sum { requests } dimensions { actionType } } } } }`
    const res = await n2.json('/graphql', { method: 'POST', body: JSON.stringify({ query, variables: { tag: n2.accountId } }) })
    assert.deepEqual(res.body.data.viewer.accounts[0].r2OperationsAdaptiveGroups.map((g: { sum: { requests: number }; dimensions: { actionType: string } }) => [g.dimensions.actionType, g.sum.requests]), [
      ['GetObject', 5],
      ['PutObject', 5],
    ])
  })
})
