import assert from 'node:assert/strict'
import { existsSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { chromium, type Browser, type Page } from 'playwright-core'
import { convictForCpu } from '../helpers/containment.js'
import { accountScriptPath, createNamespace, defaultHost, deployDispatcher, edge, namespaceScriptPath, putScript } from '../helpers/edge.js'
import { jsonBody, startTestPlatform, type TestPlatform } from '../helpers/platform.js'

// Debian's package (`apt-get install chromium`); Playwright's own browser download is not used.
const CHROMIUM = process.env.WORKERHIVE_CHROMIUM ?? '/usr/bin/chromium'
const skip = existsSync(CHROMIUM) ? false : `Chromium is not installed at ${CHROMIUM} (apt-get install chromium): the console is not tried in a browser`
/** Screenshots kept as artifacts (test-results/ is gitignored). */
const ARTIFACTS = join(process.cwd(), 'test-results', 'console')

// The console in a real browser against the real platform: every page by deep link, and every
// action checked where it matters, at the edge or the API. Tenant strings must show as text.
describe('web console in a browser', { skip }, () => {
  let t: TestPlatform
  let browser: Browser
  let page: Page
  let host: string
  let helloHost: string
  let kvId: string
  const a = () => `/accounts/${t.accountId}`
  const origin = () => t.platform.apiUrl.replace(/\/client\/v4$/, '')
  /** Opens a deep link in a fresh load of the page (as a bookmark would) and waits for its heading. */
  const open = async (route: string, heading: string | RegExp) => {
    await page.goto(`${origin()}/console#${route}`)
    await page.locator('h2', { hasText: heading }).waitFor()
  }
  const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true })

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true })
    t = await startTestPlatform()
    await createNamespace(t, 'tenants')
    host = await deployDispatcher(t, 'tenants')
    await putScript(t, namespaceScriptPath(t, 'tenants', 'shop'), 'export default { fetch(req) { console.log("<img src=x onerror=alert(1)>", new URL(req.url).pathname); return new Response("hi") } }', {
      observability: { enabled: true },
    })
    assert.equal((await edge(t, host, '/shop/first')).text, 'hi')
    await putScript(t, accountScriptPath(t, 'hello'), 'export default { fetch() { return new Response("v1") } }')
    await putScript(t, accountScriptPath(t, 'hello'), 'export default { fetch() { return new Response("v2") } }')
    helloHost = await defaultHost(t, 'hello')
    assert.equal((await edge(t, helloHost)).text, 'v2')
    kvId = (await t.json(`${a()}/storage/kv/namespaces`, { method: 'POST', ...jsonBody({ title: 'sessions' }) })).body.result.id
    await t.api(`${a()}/storage/kv/namespaces/${kvId}/values/${encodeURIComponent('user/<b>7</b>')}`, { method: 'PUT', body: '{"cart":"<script>x</script>"}' })
    browser = await chromium.launch({ executablePath: CHROMIUM })
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
    // Every action asks first; the test says yes.
    page.on('dialog', (d) => void d.accept())
  })
  after(async () => {
    await browser?.close()
    await t?.close()
  })

  it('signs in from a deep link without a stray "null", and lands on that page', async () => {
    await page.goto(`${origin()}/console#/namespaces/tenants`)
    await page.locator('h2', { hasText: 'Sign in' }).waitFor()
    assert.doesNotMatch(await page.locator('body').innerText(), /null|undefined/)
    await page.fill('input[type=password]', t.token)
    await page.click('button[type=submit]')
    await page.locator('h2', { hasText: 'Namespace tenants' }).waitFor()
    assert.doesNotMatch(await page.locator('body').innerText(), /\bnull\b|undefined/)
  })

  it('shows a real invocation with its console line as text, finds it by search, and tails new ones live', async () => {
    await open('/namespaces/tenants/scripts/shop', 'shop')
    const invocations = page.locator('#invocations tbody tr')
    await invocations.filter({ hasText: 'log: <img src=x onerror=alert(1)> /shop/first' }).waitFor()
    assert.equal(await page.locator('main img').count(), 0)
    await page.fill('input[type=search]', 'no such text')
    assert.equal(await invocations.count(), 0)
    await page.fill('input[type=search]', '')
    await page.getByRole('button', { name: 'Live tail' }).click()
    await page.getByText('Live tail open').waitFor()
    assert.equal((await edge(t, host, '/shop/live')).text, 'hi')
    await invocations.filter({ hasText: '/shop/live' }).first().waitFor()
    await shot('script-1280')
    await page.setViewportSize({ width: 400, height: 800 })
    await shot('script-400')
    // Narrow: no sideways scrolling; rows become cards.
    assert.ok((await page.evaluate<number>('document.documentElement.scrollWidth')) <= 400, 'fits 400 px')
    await page.setViewportSize({ width: 1280, height: 800 })
  })

  it('browses KV: namespaces, keys by prefix, a value shown as text', async () => {
    await open('/kv', 'KV namespaces')
    await page.getByRole('link', { name: 'sessions' }).click()
    await page.locator('h2', { hasText: 'KV sessions' }).waitFor()
    await page.fill('input[type=search]', 'nobody/')
    await page.click('form button[type=submit]')
    await page.getByText('No keys with this prefix.').waitFor()
    await open(`/kv/${kvId}?prefix=user%2F`, 'KV sessions')
    await page.getByRole('link', { name: 'user/<b>7</b>' }).click()
    await page.locator('pre.value').waitFor()
    assert.equal(await page.locator('pre.value').innerText(), '{"cart":"<script>x</script>"}')
    assert.equal(await page.locator('main b, main script').count(), 0)
  })

  it('disables and enables an account Worker: the edge answer changes', async () => {
    await open('/workers/hello', 'hello')
    await page.getByRole('button', { name: 'Disable' }).click()
    await page.getByRole('button', { name: 'Enable' }).waitFor()
    assert.equal((await edge(t, helloHost)).status, 404)
    await page.getByRole('button', { name: 'Enable' }).click()
    await page.getByRole('button', { name: 'Disable' }).waitFor()
    assert.equal((await edge(t, helloHost)).text, 'v2')
  })

  it('rolls back to an earlier version: the edge serves it', async () => {
    await open('/workers/hello', 'hello')
    await page.getByRole('button', { name: 'Roll back to #1' }).click()
    await page.getByRole('button', { name: 'Roll back to #2' }).waitFor()
    assert.equal((await edge(t, helloHost)).text, 'v1')
  })

  it('lifts a ban: the refused Worker runs again', async () => {
    await putScript(t, namespaceScriptPath(t, 'tenants', 'hostile'), 'export default { fetch() { while (true) {} } }')
    await convictForCpu(t, host, 'hostile')
    await putScript(t, namespaceScriptPath(t, 'tenants', 'hostile'), 'export default { fetch() { return new Response("reformed") } }')
    assert.equal((await edge(t, host, '/hostile')).status, 502)
    await open('/edge', 'Edge')
    const row = page.locator('tr', { hasText: '/hostile' })
    await row.filter({ hasText: 'banned' }).waitFor()
    await shot('edge-1280')
    await row.getByRole('button', { name: 'Lift' }).click()
    await page.getByText('No script is on probation or refused.').waitFor()
    assert.equal((await edge(t, host, '/hostile')).text, 'reformed')
  })

  it('rotates a token: the old value is refused, the new one works', async () => {
    const created = await t.json('/user/tokens', {
      method: 'POST',
      ...jsonBody({ name: 'ci-deploy', policies: [{ effect: 'allow', permission_groups: [{ id: '1a71c399035b4950a1bd1466bbe4f420' }], resources: { [`com.cloudflare.api.account.${t.accountId}`]: '*' } }] }),
    })
    assert.equal(created.status, 200, JSON.stringify(created.body))
    const old = created.body.result.value as string
    await open('/tokens', 'API tokens')
    await page.locator('tr', { hasText: 'ci-deploy' }).getByRole('button', { name: 'Rotate' }).click()
    const shown = await page.locator('#note').innerText()
    const fresh = /\(shown once\): (\S+)$/.exec(shown)?.[1]
    assert.ok(fresh && fresh !== old, shown)
    assert.equal((await t.json('/user/tokens/verify', { token: old })).status, 401)
    assert.equal((await t.json('/user/tokens/verify', { token: fresh })).status, 200)
  })

  it('deletes a Worker', async () => {
    await open('/workers/hello', 'hello')
    await page.getByRole('button', { name: 'Delete' }).click()
    await page.locator('h2', { hasText: 'Account Workers' }).waitFor()
    assert.equal((await t.json(`${a()}/workers/scripts/hello/settings`)).status, 404)
    assert.equal((await edge(t, helloHost)).status, 404)
  })

  it('charts usage per namespace and per script from the GraphQL API, with the figures the API reads', async () => {
    for (let i = 0; i < 3; i++) assert.equal((await edge(t, host, '/shop/again')).text, 'hi')
    // shop served /shop/first, /shop/live and these three: wait until all five are in the records, so
    // no count still on its way can make the console and the API read different totals.
    const served = 5
    // The console's figures must be the GraphQL API's: read the same hour there first.
    const query = `query ($tag: string!, $start: Time!) { viewer { accounts(filter: {accountTag: $tag}) {
      workersInvocationsAdaptive(limit: 10, filter: { scriptName: "shop", dispatchNamespaceName: "tenants", datetime_geq: $start }) { sum { requests } } } } }`
    let requests = 0
    for (let i = 0; i < 100 && requests < served; i++) {
      const res = await t.json('/graphql', { method: 'POST', ...jsonBody({ query, variables: { tag: t.accountId, start: new Date(Date.now() - 3_600_000).toISOString() } }) })
      requests = res.body.data.viewer.accounts[0].workersInvocationsAdaptive[0]?.sum.requests ?? 0
      if (requests < served) await new Promise((r) => setTimeout(r, 50))
    }
    assert.equal(requests, served, `GraphQL reads ${requests} requests of shop`)

    await open('/usage', 'Usage')
    const tenants = page.locator('tr', { has: page.getByRole('link', { name: 'tenants', exact: true }) })
    assert.ok(Number(await tenants.locator('figure[data-metric="requests"]').getAttribute('data-total')) >= requests)
    await shot('usage-1280')
    await tenants.getByRole('link', { name: 'tenants', exact: true }).click()
    await page.locator('h2', { hasText: 'Usage of tenants' }).waitFor()
    const shop = page.locator('tr', { has: page.getByRole('link', { name: 'shop', exact: true }) })
    assert.equal(Number(await shop.locator('figure[data-metric="requests"]').getAttribute('data-total')), requests)
    assert.equal(Number(await shop.locator('figure[data-metric="errors"]').getAttribute('data-total')), 0)
    // A hello world's CPU may be below the isolate clock's resolution (0): the chart is there, with a number.
    assert.ok(Number.isFinite(Number(await shop.locator('figure[data-metric="CPU"]').getAttribute('data-total'))), 'CPU is charted')
    await page.setViewportSize({ width: 400, height: 800 })
    await shot('usage-narrow')
    await page.setViewportSize({ width: 1280, height: 800 })
  })
})
