import Cloudflare from 'cloudflare'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { promisify } from 'node:util'
import { putScript } from '../helpers/edge.js'
import { freePort, hasPebble, startPebble, type Pebble } from '../helpers/pebble.js'
import { jsonBody, startTestPlatform, type TestPlatform } from '../helpers/platform.js'

const run = promisify(execFile)

/** curl over HTTPS to the edge, trusting only `cacert`; the exit code and what it printed. */
async function curl(t: TestPlatform, cacert: string, hostname: string, path: string): Promise<{ code: number; out: string }> {
  const port = t.platform.https!.port
  try {
    const { stdout } = await run('curl', ['-sS', '--max-time', '20', '--cacert', cacert, '--resolve', `${hostname}:${port}:127.0.0.1`, `https://${hostname}:${port}${path}`])
    return { code: 0, out: stdout }
  } catch (e) {
    const err = e as { code: number; stderr: string }
    return { code: err.code, out: err.stderr }
  }
}

describe('HTTPS at the edge with a certificate issued by pebble (ACME, HTTP-01 answered by the edge)', { skip: hasPebble() ? false : 'pebble is not installed (apt-get install pebble)' }, () => {
  let pebble: Pebble
  let t: TestPlatform
  let cf: Cloudflare
  let root: string

  before(async () => {
    // pebble validates HTTP-01 on the edge's own port, so the edge port is chosen first.
    const edgePort = await freePort()
    pebble = await startPebble(edgePort)
    t = await startTestPlatform({ verifyHostnames: false, edgePort, httpsPort: 0, acmeDirectoryUrl: pebble.directoryUrl, acmeCaFile: pebble.caFile })
    cf = new Cloudflare({ baseURL: t.platform.apiUrl, apiToken: t.token, maxRetries: 0 })
    root = join(t.dataDir, 'pebble-root.pem')
    writeFileSync(root, await pebble.issuingRoot())
    const dispatcher = `export default { fetch(req) { return Response.json({ host: req.headers.get('host'), url: req.url }) } }`
    assert.equal((await putScript(t, `/accounts/${t.accountId}/workers/scripts/dispatcher`, dispatcher)).status, 200)
  })
  after(async () => {
    await t?.close()
    await pebble?.stop()
  })

  it("serves a custom hostname created with the SDK over HTTPS with pebble's certificate, until it is deleted", async () => {
    const zone = await t.json('/zones', { method: 'POST', ...jsonBody({ name: 'saas-platform.net' }) })
    const zone_id = zone.body.result.id as string
    await t.json(`/zones/${zone_id}/workers/routes`, { method: 'POST', ...jsonBody({ pattern: 'app.saas-platform.net/*', script: 'dispatcher' }) })
    await cf.customHostnames.fallbackOrigin.update({ zone_id, origin: 'app.saas-platform.net' })

    const created = await cf.customHostnames.create({ zone_id, hostname: 'shop.customer-store.com', ssl: { method: 'http', type: 'dv' } })
    assert.equal(created.status, 'active')
    assert.equal(created.ssl!.status, 'pending_validation', 'the order has only started')

    // The order runs in the background: pebble fetches the token from the edge, then issues.
    let ssl = created.ssl!
    for (let i = 0; i < 300 && ssl.status !== 'active'; i++) {
      await new Promise((r) => setTimeout(r, 100))
      ssl = (await cf.customHostnames.get(created.id, { zone_id })).ssl!
    }
    assert.equal(ssl.status, 'active', 'pebble issued the certificate')
    assert.match(String((ssl as { certificates?: Array<{ issuer: string }> }).certificates?.[0]?.issuer), /Pebble/)

    const served = await curl(t, root, 'shop.customer-store.com', '/cart?x=1')
    assert.equal(served.code, 0, served.out)
    const seen = JSON.parse(served.out)
    assert.equal(seen.host, `shop.customer-store.com:${t.platform.https!.port}`)
    assert.equal(seen.url, `https://shop.customer-store.com:${t.platform.https!.port}/cart?x=1`)
    // The development CA does not vouch for it, and no other name gets its certificate.
    assert.notEqual((await curl(t, t.platform.https!.devCaPath, 'shop.customer-store.com', '/')).code, 0)
    assert.notEqual((await curl(t, root, 'other.customer-store.com', '/')).code, 0)

    // Renewal: a certificate whose renewal is due is ordered again by the node that claims it.
    const first = (await t.platform.store.tls.certificate('shop.customer-store.com'))!
    await t.platform.store.tls.putCertificate({ ...first, renewAt: Date.now() - 1000 })
    await t.platform.https!.renewDue()
    const renewed = (await t.platform.store.tls.certificate('shop.customer-store.com'))!
    assert.notEqual(renewed.certificatePem, first.certificatePem, 'a new certificate was issued')
    assert.ok(renewed.renewAt > Date.now(), 'its next renewal lies ahead')
    assert.equal((await curl(t, root, 'shop.customer-store.com', '/')).code, 0, 'the renewed certificate is served')

    await cf.customHostnames.delete(created.id, { zone_id })
    const gone = await curl(t, root, 'shop.customer-store.com', '/cart')
    assert.notEqual(gone.code, 0, 'no certificate is served once the hostname is deleted')
    assert.equal(await t.platform.store.tls.certificate('shop.customer-store.com'), undefined)
  })

  it('orders a certificate for a Workers Custom Domain when it is attached, and drops it when detached', async () => {
    await t.json('/zones', { method: 'POST', ...jsonBody({ name: 'own-brand.org' }) })
    const attached = await t.json(`/accounts/${t.accountId}/workers/domains`, {
      method: 'PUT',
      ...jsonBody({ hostname: 'api.own-brand.org', service: 'dispatcher', environment: 'production' }),
    })
    assert.equal(attached.status, 200, JSON.stringify(attached.body))
    let served = await curl(t, root, 'api.own-brand.org', '/v1')
    for (let i = 0; i < 300 && served.code !== 0; i++) {
      await new Promise((r) => setTimeout(r, 100))
      served = await curl(t, root, 'api.own-brand.org', '/v1')
    }
    assert.equal(served.code, 0, served.out)
    assert.equal(JSON.parse(served.out).url, `https://api.own-brand.org:${t.platform.https!.port}/v1`)
    await t.json(`/accounts/${t.accountId}/workers/domains/${attached.body.result.id}`, { method: 'DELETE' })
    assert.notEqual((await curl(t, root, 'api.own-brand.org', '/v1')).code, 0)
  })
})
