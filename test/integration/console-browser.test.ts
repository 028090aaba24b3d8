import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { findChromium, launchBrowser, type Browser } from '../helpers/browser.js'
import { createNamespace, deployDispatcher, edge, namespaceScriptPath, putScript } from '../helpers/edge.js'
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js'

const chromium = findChromium()
const skip = chromium ? false : 'Chromium is not installed (apt-get install chromium): the console is not tried in a browser'

// The console in a real browser: sign in, walk to a Worker, read its invocations. Tenant strings
// (a console line with markup) must show as text.
describe('web console in a browser', { skip }, () => {
  let t: TestPlatform
  let browser: Browser
  const text = (selector: string) => browser.evaluate<string>(`document.querySelector(${JSON.stringify(selector)})?.textContent ?? ''`)
  /** Clicks a link and waits until the view changes (its heading). */
  const click = (label: string) =>
    browser.evaluate(`(async () => {
      const before = document.querySelector('h2')?.textContent
      const a = [...document.querySelectorAll('a')].find((a) => a.textContent === ${JSON.stringify(label)})
      if (!a) throw new Error('no link ' + ${JSON.stringify(label)})
      a.click()
      while (document.querySelector('h2')?.textContent === before) await new Promise((r) => setTimeout(r, 20))
    })()`)

  before(async () => {
    t = await startTestPlatform()
    await createNamespace(t, 'tenants')
    const host = await deployDispatcher(t, 'tenants')
    await putScript(t, namespaceScriptPath(t, 'tenants', 'shop'), 'export default { fetch() { console.log("<img src=x onerror=alert(1)>"); return new Response("hi") } }', {
      observability: { enabled: true },
    })
    assert.equal((await edge(t, host, '/shop')).text, 'hi')
    browser = await launchBrowser(chromium as string)
  })
  after(async () => {
    await browser?.close()
    await t?.close()
  })

  it('signs in with a token and shows a Worker with its invocations, tenant strings as text', async () => {
    await browser.goto(`${t.platform.apiUrl.replace(/\/client\/v4$/, '')}/console`)
    assert.equal(await text('h2'), 'Sign in')
    await browser.evaluate(`(async () => {
      document.querySelector('input').value = ${JSON.stringify(t.token)}
      document.querySelector('button').click()
      while (document.querySelector('h2')?.textContent !== 'Edge') await new Promise((r) => setTimeout(r, 20))
    })()`)
    assert.equal(await text('h2'), 'Edge')
    assert.match(await text('table'), /probation/)
    await click('Namespaces')
    await click('tenants')
    assert.equal(await text('h2'), 'Namespace tenants')
    await click('shop')
    const page = await text('main')
    assert.match(page, /log: <img src=x onerror=alert\(1\)>/)
    assert.equal(await browser.evaluate('document.querySelectorAll("main img").length'), 0)
  })
})
