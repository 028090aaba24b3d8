import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { promisify } from 'node:util'
import { defaultHost, edge } from '../helpers/edge.js'
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js'

/*
 * The README's "Try it" section, run as a newcomer would: its sh blocks through bash (the wrangler
 * alias, wrangler and curl), its wrangler.toml and src/index.js deployed with the real wrangler,
 * and the URLs it promises.
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
  let scratch: string
  let project: string
  const repo = process.cwd()

  /** Runs shell lines as the README's reader does: bash, aliases on, the exported credentials. */
  const shell = (lines: string[], cwd: string) =>
    run('bash', ['-O', 'expand_aliases', '-c', lines.join('\n')], {
      cwd,
      timeout: 90_000,
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: join(scratch, 'home'),
        CLOUDFLARE_API_BASE_URL: t.platform.apiUrl,
        CLOUDFLARE_ACCOUNT_ID: t.accountId,
        CLOUDFLARE_API_TOKEN: t.token,
        WRANGLER_SEND_METRICS: 'false',
        WRANGLER_SEND_ERROR_REPORTS: 'false',
        CI: 'true',
        NO_COLOR: '1',
      },
    })

  before(async () => {
    t = await startTestPlatform()
    scratch = mkdtempSync(join(tmpdir(), 'workerhive-readme-'))
    project = join(scratch, 'dispatcher')
    mkdirSync(join(scratch, 'home'))
    mkdirSync(join(project, 'src'), { recursive: true })
  })
  after(async () => {
    await t?.close()
    if (scratch) rmSync(scratch, { recursive: true, force: true })
  })

  it('runs the first sh block in the repository: wrangler creates the namespace, curl uploads hello', async () => {
    const lines = commandsOf(blockAfter('`npm start` printed', 'sh'))
    assert.match(lines[0]!, /^alias wrangler=/)
    const { stdout } = await shell([...lines.slice(0, -1), `${lines.at(-1)} --silent`], repo)
    assert.match(stdout, /Created dispatch namespace "production"/)
    assert.match(stdout, /"success":true/)
    const listed = await t.json(`/accounts/${t.accountId}/workers/dispatch/namespaces/production/scripts`)
    assert.deepEqual(listed.body.result.map((s: { script: { id: string } }) => s.script.id), ['hello'])
  })

  it('deploys the sample dispatch Worker with wrangler and serves hello through it', async () => {
    writeFileSync(join(project, 'wrangler.toml'), blockAfter('`wrangler.toml`', 'toml'))
    writeFileSync(join(project, 'src/index.js'), blockAfter('`src/index.js`', 'js'))
    const alias = commandsOf(blockAfter('`npm start` printed', 'sh'))[0]!
    const [deploy, request] = commandsOf(blockAfter('`src/index.js`\n\n```js', 'sh'))
    assert.equal(deploy, 'wrangler deploy')
    // The alias is defined in the repository (its $PWD), then used in the project's folder.
    const { stdout } = await shell([`cd ${JSON.stringify(repo)}`, alias, `cd ${JSON.stringify(project)}`, deploy!], project)
    assert.match(stdout, /Current Version ID/)

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
