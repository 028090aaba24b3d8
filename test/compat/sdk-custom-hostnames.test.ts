import Cloudflare from 'cloudflare'
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { edge, putScript } from '../helpers/edge.js'
import { jsonBody, startTestPlatform, type TestPlatform } from '../helpers/platform.js'

/** The dispatch Worker of a SaaS platform: says which Host it saw and the hostname's metadata. */
const dispatcher = (name: string) => `export default {
  fetch(req) {
    return Response.json({ worker: '${name}', host: req.headers.get('host'), meta: req.cf?.hostMetadata ?? null })
  },
}`

/** The API error a rejected SDK call carried: HTTP status and Cloudflare's error code. */
async function refusal(call: () => Promise<unknown>): Promise<{ status: number; code: number }> {
  try {
    await call()
  } catch (e) {
    const err = e as { status: number; errors: Array<{ code: number }> }
    return { status: err.status, code: err.errors[0]!.code }
  }
  assert.fail('the call succeeded')
}

describe('custom hostnames (Cloudflare for SaaS) through the cloudflare SDK and the edge', () => {
  describe('with verification off', () => {
    let t: TestPlatform
    let cf: Cloudflare
    let zone_id: string

    const zone = async (name: string, token?: string) => {
      const res = await t.json('/zones', { method: 'POST', ...jsonBody({ name }), ...(token ? { token } : {}) })
      assert.equal(res.status, 200, JSON.stringify(res.body))
      return res.body.result.id as string
    }
    const route = async (zoneId: string, pattern: string, script: string) => {
      const res = await t.json(`/zones/${zoneId}/workers/routes`, { method: 'POST', ...jsonBody({ pattern, script }) })
      assert.equal(res.status, 200, JSON.stringify(res.body))
      return res.body.result.id as string
    }
    const seen = async (host: string) => {
      const res = await edge(t, host, '/cart')
      return res.status === 200 ? JSON.parse(res.text) : res.status
    }

    before(async () => {
      t = await startTestPlatform({ verifyHostnames: false })
      cf = new Cloudflare({ baseURL: t.platform.apiUrl, apiToken: t.token, maxRetries: 0 })
      for (const name of ['dispatcher', 'catchall']) {
        const res = await putScript(t, `/accounts/${t.accountId}/workers/scripts/${name}`, dispatcher(name))
        assert.equal(res.status, 200, JSON.stringify(res.body))
      }
      zone_id = await zone('saas-platform.net')
      await route(zone_id, 'app.saas-platform.net/*', 'dispatcher')
    })
    after(() => t.close())

    it('creates an active hostname that reaches the dispatch Worker through the fallback origin', async () => {
      const created = await cf.customHostnames.create({
        zone_id,
        hostname: 'Shop.Customer.com',
        ssl: { method: 'http', type: 'dv', settings: { min_tls_version: '1.2' } },
        custom_metadata: { tenant: 'acme' },
      })
      assert.equal(created.hostname, 'shop.customer.com')
      assert.equal(created.status, 'active')
      assert.equal(created.ssl!.status, 'pending_validation', 'no certificate is issued')
      assert.deepEqual(created.ssl!.settings, { min_tls_version: '1.2' })
      assert.equal(created.ownership_verification?.name, '_cf-custom-hostname.shop.customer.com')
      assert.equal(
        created.ownership_verification_http?.http_url,
        `http://shop.customer.com/.well-known/cf-custom-hostname-challenge/${created.id}`,
      )

      assert.equal(await seen('shop.customer.com'), 404, 'no route matches and no fallback origin is set')
      const fallback = await cf.customHostnames.fallbackOrigin.update({ zone_id, origin: 'app.saas-platform.net' })
      assert.equal(fallback.origin, 'app.saas-platform.net')
      assert.equal((await cf.customHostnames.fallbackOrigin.get({ zone_id })).origin, 'app.saas-platform.net')
      assert.deepEqual(await seen('shop.customer.com'), { worker: 'dispatcher', host: 'shop.customer.com', meta: { tenant: 'acme' } })

      // A zone route matching every hostname takes it before the fallback origin.
      const catchAll = await route(zone_id, '*/*', 'catchall')
      assert.equal((await seen('shop.customer.com')).worker, 'catchall')
      await t.json(`/zones/${zone_id}/workers/routes/${catchAll}`, { method: 'DELETE' })
      assert.equal((await seen('shop.customer.com')).worker, 'dispatcher')
    })

    it('lists with filters and pagination, gets and edits', async () => {
      await cf.customHostnames.create({ zone_id, hostname: 'www.other-customer.org' })
      const page = await cf.customHostnames.list({ zone_id, per_page: 5 })
      assert.deepEqual(page.result.map((h) => h.hostname), ['shop.customer.com', 'www.other-customer.org'])
      const filtered = await cf.customHostnames.list({ zone_id, hostname: { exact: 'shop.customer.com' } })
      assert.equal(filtered.result.length, 1)
      const id = filtered.result[0]!.id
      assert.equal((await cf.customHostnames.list({ zone_id, id })).result[0]!.hostname, 'shop.customer.com')
      assert.equal((await cf.customHostnames.get(id, { zone_id })).custom_metadata?.tenant, 'acme')
      const edited = await cf.customHostnames.edit(id, { zone_id, custom_metadata: { tenant: 'globex' } })
      assert.equal(edited.custom_metadata?.tenant, 'globex')
      assert.deepEqual((await seen('shop.customer.com')).meta, { tenant: 'globex' })
    })

    it("refuses bad hostnames, duplicates and another account's zone, and changes nothing", async () => {
      const other = await t.otherAccount()
      const theirs = await zone('their-platform.net', other.token)
      const before = (await cf.customHostnames.list({ zone_id })).result.length
      const cases: Array<[string, () => Promise<unknown>, number, number]> = [
        ['not a hostname', () => cf.customHostnames.create({ zone_id, hostname: 'shop customer.com' }), 400, 1407],
        ['an IP address', () => cf.customHostnames.create({ zone_id, hostname: '192.0.2.1' }), 400, 1407],
        ['a wildcard inside', () => cf.customHostnames.create({ zone_id, hostname: 'shop.*.customer.com' }), 400, 1407],
        ['a reserved TLD', () => cf.customHostnames.create({ zone_id, hostname: 'shop.localhost' }), 400, 1409],
        ['an example domain', () => cf.customHostnames.create({ zone_id, hostname: 'shop.example.com' }), 400, 1411],
        ['a duplicate', () => cf.customHostnames.create({ zone_id, hostname: 'SHOP.customer.com' }), 409, 1406],
        ["another account's zone", () => cf.customHostnames.create({ zone_id: theirs, hostname: 'new.customer.com' }), 404, 1001],
        ['an unknown id', () => cf.customHostnames.get('00000000-0000-0000-0000-000000000000', { zone_id }), 404, 1436],
      ]
      for (const [what, call, status, code] of cases) assert.deepEqual(await refusal(call), { status, code }, what)
      assert.equal((await cf.customHostnames.list({ zone_id })).result.length, before)
      assert.equal((await edge(t, 'new.customer.com', '/')).status, 404)
    })

    it('stops serving a deleted hostname at the edge', async () => {
      const [shop] = (await cf.customHostnames.list({ zone_id, hostname: { exact: 'shop.customer.com' } })).result
      await cf.customHostnames.delete(shop!.id, { zone_id })
      assert.equal(await seen('shop.customer.com'), 404)
      assert.equal((await refusal(() => cf.customHostnames.get(shop!.id, { zone_id }))).code, 1436)
    })
  })

  describe('with verification on', () => {
    let t: TestPlatform
    let cf: Cloudflare

    before(async () => {
      t = await startTestPlatform()
      cf = new Cloudflare({ baseURL: t.platform.apiUrl, apiToken: t.token, maxRetries: 0 })
      const res = await putScript(t, `/accounts/${t.accountId}/workers/scripts/dispatcher`, dispatcher('dispatcher'))
      assert.equal(res.status, 200, JSON.stringify(res.body))
    })
    after(() => t.close())

    it('keeps an unproven hostname pending and unrouted while the edge serves its HTTP token', async () => {
      const zoneRes = await t.json('/zones', { method: 'POST', ...jsonBody({ name: 'saas-platform.net' }) })
      const zone_id = zoneRes.body.result.id as string
      await t.json(`/zones/${zone_id}/workers/routes`, { method: 'POST', ...jsonBody({ pattern: '*/*', script: 'dispatcher' }) })
      const created = await cf.customHostnames.create({ zone_id, hostname: 'pending.customer.invalid-tld-free.com' })
      assert.equal(created.status, 'pending')
      const token = created.ownership_verification_http!.http_body!
      const challenge = await edge(t, created.hostname!, `/.well-known/cf-custom-hostname-challenge/${created.id}`)
      assert.equal(challenge.status, 200)
      assert.equal(challenge.text, token)
      assert.equal((await edge(t, created.hostname!, `/.well-known/cf-custom-hostname-challenge/wrong-id`)).status, 404)
      assert.equal((await edge(t, created.hostname!, '/')).status, 404, 'not routed before ownership is proven')
      const fetched = await cf.customHostnames.get(created.id, { zone_id })
      assert.equal(fetched.status, 'pending')
      assert.ok((fetched.verification_errors ?? []).length > 0)
    })
  })
})
