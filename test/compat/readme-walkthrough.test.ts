import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { after, before, describe, it } from 'node:test'
import { promisify } from 'node:util'
import { defaultHost, edge } from '../helpers/edge.js'
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js'
import { createWrangler, succeeded, type Wrangler } from '../helpers/wrangler.js'

/*
 * The README's "Try it" section, run as a newcomer would: its sh block (wrangler and curl), its
 * wrangler.toml and src/index.js deployed with the real wrangler, and the URLs it promises.
 * Everything is read from README.md itself, so the README cannot drift from what works.
 */
const README = readFileSync('README.md', 'utf8')
const section = README.slice(README.indexOf('## Try it'), README.indexOf('## Options'))

/** The fenced block of `lang` that follows `label` in the Try it section. */
function blockAfter(label: string, lang: string): string {
  const from = section.indexOf(label)
  assert.ok(from >= 0, `README's Try it section has no ${label}`)
  const match = new RegExp('```' + lang + '\\n([\\s\\S]*?)```').exec(section.slice(from))
  assert.ok(match, `README has no ${lang} block after ${label}`)
  return match[1]!
}

/** The commands of an sh block, continuation lines joined, comments dropped. */
const commandsOf = (block: string): string[] =>
  block
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .map((line) => line.replace(/\s+# .*$/, '').trim())
    .filter((line) => line !== '' && !line.startsWith('#'))

const run = promisify(execFile)

describe('README walkthrough: namespace, user Worker, the sample dispatch Worker, its URLs', () => {
  let t: TestPlatform
  let wrangler: Wrangler

  before(async () => {
    t = await startTestPlatform()
    wrangler = createWrangler(t)
  })
  after(async () => {
    wrangler?.close()
    await t?.close()
  })

  it('runs the first sh block: wrangler creates the namespace, curl uploads hello', async () => {
    const [create, upload, ...rest] = commandsOf(blockAfter('`npm start` printed', 'sh'))
    assert.equal(rest.length, 0)
    assert.match(create!, /^npx wrangler dispatch-namespace create production$/)
    succeeded(await wrangler.run(create!.replace(/^npx wrangler /, '').split(' ')))
    assert.match(upload!, /^curl /)
    const env = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      CLOUDFLARE_API_BASE_URL: t.platform.apiUrl,
      CLOUDFLARE_ACCOUNT_ID: t.accountId,
      CLOUDFLARE_API_TOKEN: t.token,
    }
    const { stdout } = await run('bash', ['-c', `${upload} --silent`], { env })
    assert.equal(JSON.parse(stdout).success, true, stdout)
  })

  it('deploys the sample dispatch Worker with wrangler and serves hello through it', async () => {
    wrangler.write({
      'wrangler.toml': blockAfter('`wrangler.toml`', 'toml'),
      'src/index.js': blockAfter('`src/index.js`', 'js'),
    })
    const [deploy, request] = commandsOf(blockAfter('`src/index.js`\n\n```js', 'sh'))
    assert.equal(deploy, 'npx wrangler deploy')
    succeeded(await wrangler.run(['deploy']))

    const promised = /^curl http:\/\/([^/:]+):8787(\/\S*)$/.exec(request!)
    assert.ok(promised, `README's request is not a curl to the edge: ${request}`)
    const [, host, path] = promised
    assert.equal(host, await defaultHost(t, 'dispatcher'))
    const hello = await edge(t, host!, path!)
    assert.equal(hello.status, 200)
    assert.equal(hello.text, 'Hello world')
    const nobody = await edge(t, host!, '/nobody/')
    assert.equal(nobody.status, 404)
  })

  it('answers the bare edge address with 404 and error 1001, as the README says', async () => {
    assert.match(section, /answers 404 with `error code: 1001`/)
    const bare = await edge(t, `127.0.0.1:${t.platform.edgePort}`, '/')
    assert.equal(bare.status, 404)
    assert.equal(bare.text.trim(), 'error code: 1001')
  })
})
