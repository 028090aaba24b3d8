import Cloudflare from 'cloudflare'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { promisify } from 'node:util'
import { defaultHost, edge, putScript } from '../helpers/edge.js'
import { jsonBody, startTestPlatform, type TestPlatform } from '../helpers/platform.js'
import { DevCa, type PemPair } from '../../src/runtime/https/dev-ca.js'

const run = promisify(execFile)

/** curl over HTTPS to the edge (trusting only `cacert`): exit code, body, and the HTTP version used. */
async function curl(t: TestPlatform, cacert: string, hostname: string, path: string, extra: string[] = []) {
  const port = t.platform.https!.port
  try {
    const { stdout } = await run('curl', ['-sS', '--max-time', '20', ...extra, '-w', '\n%{http_version}', '--cacert', cacert, '--resolve', `${hostname}:${port}:127.0.0.1`, `https://${hostname}:${port}${path}`])
    const [body, version] = [stdout.slice(0, stdout.lastIndexOf('\n')), stdout.slice(stdout.lastIndexOf('\n') + 1)]
    return { code: 0, body, version }
  } catch (e) {
    return { code: (e as { code: number }).code, body: (e as { stderr: string }).stderr, version: '' }
  }
}

const echo = `export default {
  async fetch(req) {
    return Response.json({ url: req.url, proto: req.headers.get('x-forwarded-proto'), body: req.method === 'POST' ? await req.text() : null })
  },
}`

describe('HTTPS at the edge: SNI, uploaded certificates, the development CA, HTTP/2, always_use_https', () => {
  let t: TestPlatform
  let cf: Cloudflare
  let zone_id: string
  let customerCa: { dir: string; ca: DevCa }
  let shopPair: PemPair

  before(async () => {
    t = await startTestPlatform({ verifyHostnames: false, httpsPort: 0 })
    cf = new Cloudflare({ baseURL: t.platform.apiUrl, apiToken: t.token, maxRetries: 0 })
    assert.equal((await putScript(t, `/accounts/${t.accountId}/workers/scripts/echo`, echo)).status, 200)
    await t.json(`/accounts/${t.accountId}/workers/scripts/echo/subdomain`, { method: 'POST', ...jsonBody({ enabled: true }) })
    zone_id = (await t.json('/zones', { method: 'POST', ...jsonBody({ name: 'saas-platform.net' }) })).body.result.id
    await t.json(`/zones/${zone_id}/workers/routes`, { method: 'POST', ...jsonBody({ pattern: '*/*', script: 'echo' }) })
    // The customer's own CA, as if their certificate came from a public one.
    const dir = mkdtempSync(join(tmpdir(), 'workerhive-customer-ca-'))
    customerCa = { dir, ca: await DevCa.open(dir) }
    shopPair = await customerCa.ca.leaf('shop.customer.localhost')
  })
  after(async () => {
    await t?.close()
    if (customerCa) rmSync(customerCa.dir, { recursive: true, force: true })
  })

  it('serves default hostnames with the data dir\'s development CA, over HTTP/1.1 and HTTP/2, as https: URLs', async () => {
    const host = await defaultHost(t, 'echo')
    const ca = t.platform.https!.devCaPath
    const h1 = await curl(t, ca, host, '/a?b=1', ['--http1.1'])
    assert.equal(h1.code, 0, h1.body)
    assert.equal(h1.version, '1.1')
    assert.deepEqual(JSON.parse(h1.body), { url: `https://${host}:${t.platform.https!.port}/a?b=1`, proto: 'https', body: null })
    const h2 = await curl(t, ca, host, '/post', ['--http2', '-X', 'POST', '--data-binary', 'over h2'])
    assert.equal(h2.code, 0, h2.body)
    assert.equal(h2.version, '2')
    assert.equal(JSON.parse(h2.body).body, 'over h2')
    // Plain HTTP stays http, whatever the client claims.
    const plain = await edge(t, host, '/p', { headers: { 'x-forwarded-proto': 'https' } })
    assert.deepEqual(JSON.parse(plain.text), { url: `http://${host}/p`, proto: 'http', body: null })
  })

  it('refuses a certificate that does not match its key, or names another host, and changes nothing', async () => {
    const other = await customerCa.ca.leaf('other.customer.localhost')
    const cases: Array<[string, Record<string, unknown>]> = [
      ["another certificate's key", { custom_certificate: shopPair.certificatePem, custom_key: other.keyPem }],
      ['a certificate for another name', { custom_certificate: other.certificatePem, custom_key: other.keyPem }],
      ['a key that is no key', { custom_certificate: shopPair.certificatePem, custom_key: 'not a key' }],
      ['a certificate without its key', { custom_certificate: shopPair.certificatePem }],
    ]
    for (const [what, ssl] of cases) {
      const res = await t.json(`/zones/${zone_id}/custom_hostnames`, { method: 'POST', ...jsonBody({ hostname: 'shop.customer-upload.com', ssl }) })
      assert.equal(res.status, 400, what)
      assert.equal(res.body.errors[0].code, 1414, what)
    }
    assert.equal((await cf.customHostnames.list({ zone_id })).result.length, 0)
  })

  it('serves an uploaded certificate by SNI, reports ssl active, and drops it with the hostname', async () => {
    const pair = await customerCa.ca.leaf('shop.customer-upload.com')
    const created = await cf.customHostnames.create({
      zone_id,
      hostname: 'shop.customer-upload.com',
      ssl: { method: 'http', type: 'dv', custom_certificate: pair.certificatePem, custom_key: pair.keyPem },
    })
    assert.equal(created.ssl!.status, 'active')
    assert.equal((created.ssl as Record<string, unknown>).custom_key, undefined, 'the key is never echoed')
    const stored = await t.platform.store.tls.certificate('shop.customer-upload.com')
    assert.match(stored!.sealedKey, /^wh1:/, 'the key is sealed at rest')

    const caFile = customerCa.ca.certificatePath
    const served = await curl(t, caFile, 'shop.customer-upload.com', '/x')
    assert.equal(served.code, 0, served.body)
    assert.equal(JSON.parse(served.body).url, `https://shop.customer-upload.com:${t.platform.https!.port}/x`)
    assert.notEqual((await curl(t, caFile, 'unknown.customer-upload.com', '/')).code, 0, 'no certificate for a name nobody uploaded')

    await cf.customHostnames.delete(created.id, { zone_id })
    assert.notEqual((await curl(t, caFile, 'shop.customer-upload.com', '/')).code, 0)
  })

  it('redirects plain HTTP to HTTPS in a zone with always_use_https on (SDK zones.settings)', async () => {
    assert.equal((await edge(t, 'app.saas-platform.net', '/cart?x=1')).status, 200)
    const on = await cf.zones.settings.edit('always_use_https', { zone_id, value: 'on' })
    assert.equal((on as { value: string }).value, 'on')
    const redirected = await edge(t, 'app.saas-platform.net', '/cart?x=1')
    assert.equal(redirected.status, 301)
    assert.equal(redirected.headers.location, `https://app.saas-platform.net:${t.platform.https!.port}/cart?x=1`)
    // ACME's HTTP-01 answers stay reachable over plain HTTP; other zones are untouched.
    assert.equal((await edge(t, await defaultHost(t, 'echo'), '/')).status, 200)
    const bad = await t.json(`/zones/${zone_id}/settings/always_use_https`, { method: 'PATCH', ...jsonBody({ value: 'maybe' }) })
    assert.equal(bad.status, 400)
    assert.equal(((await cf.zones.settings.get('always_use_https', { zone_id })) as { value: string }).value, 'on')
    await cf.zones.settings.edit('always_use_https', { zone_id, value: 'off' })
    assert.equal((await edge(t, 'app.saas-platform.net', '/')).status, 200)
  })
})
