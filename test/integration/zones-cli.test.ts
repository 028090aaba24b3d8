import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { resolve } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js'
import { seedAccountScript } from './helpers/account-scripts.js'

const BIN = resolve('bin/workerhive.js')

interface CliResult {
  code: number
  stdout: string
  stderr: string
}

/** Runs the CLI as a user would. Asynchronous: the API it talks to runs in this very process. */
function cli(args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  return new Promise((done) => {
    // A hung CLI fails its test instead of holding the whole run.
    const options = { env: { PATH: process.env.PATH, ...env }, timeout: 60_000, killSignal: 'SIGKILL' as const }
    execFile(process.execPath, [BIN, ...args], options, (err, stdout, stderr) => {
      done({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr })
    })
  })
}

describe('workerhive zone and route commands', () => {
  let t: TestPlatform
  let env: NodeJS.ProcessEnv
  before(async () => {
    t = await startTestPlatform()
    env = {
      CLOUDFLARE_API_BASE_URL: t.platform.apiUrl,
      CLOUDFLARE_API_TOKEN: t.token,
      CLOUDFLARE_ACCOUNT_ID: t.accountId,
    }
    await seedAccountScript(t, 'dispatcher')
  })
  after(() => t.close())

  it('creates and lists zones through the API', async () => {
    const created = await cli(['zone', 'create', 'example.com'], env)
    assert.equal(created.code, 0, created.stderr)
    const id = (await t.json('/zones?name=example.com')).body.result[0].id
    assert.equal(created.stdout, `Created zone "example.com" with ID "${id}"\n`)

    const listed = await cli(['zone', 'list'], env)
    assert.equal(listed.code, 0)
    assert.equal(listed.stdout, `${id}  example.com\n`)

    const dup = await cli(['zone', 'create', 'example.com'], env)
    assert.equal(dup.code, 1)
    assert.match(dup.stderr, /^workerhive zone create: example\.com already exists \[code: 1061\]\n$/)
  })

  it('refuses public suffixes and IP literals, and a name another account holds without naming it', async () => {
    for (const name of ['co.uk', 'github.io', '192.0.2.1', '::1']) {
      const res = await cli(['zone', 'create', name], env)
      assert.equal(res.code, 1, name)
      assert.match(res.stderr, /\[code: 1099\]\n$/, name)
    }
    const other = await t.otherAccount()
    const otherEnv = { ...env, CLOUDFLARE_API_TOKEN: other.token, CLOUDFLARE_ACCOUNT_ID: other.accountId }
    const held = await cli(['zone', 'create', 'example.com'], otherEnv)
    assert.equal(held.code, 1)
    assert.match(held.stderr, /\[code: 1099\]\n$/)
    assert.doesNotMatch(held.stderr, /exists|another|account/i)
    assert.equal((await cli(['zone', 'list'], otherEnv)).stdout, 'No zones. Create one with `workerhive zone create <name>`.\n')
  })

  it('adds, lists and deletes routes, finding the zone from the pattern or --zone', async () => {
    const added = await cli(['route', 'add', '*.platform.example.com/*', 'dispatcher', '--zone', 'example.com'], env)
    assert.equal(added.code, 0, added.stderr)
    assert.match(added.stdout, /^Added route \*\.platform\.example\.com\/\* -> dispatcher in zone example\.com/)

    const inferred = await cli(['route', 'add', 'shop.example.com/api/*', 'dispatcher'], env)
    assert.equal(inferred.code, 0, inferred.stderr)

    const listed = await cli(['route', 'list'], env)
    assert.equal(listed.code, 0)
    assert.deepEqual(listed.stdout.trim().split('\n').sort(), [
      'example.com  *.platform.example.com/*  dispatcher',
      'example.com  shop.example.com/api/*  dispatcher',
    ])

    const deleted = await cli(['route', 'delete', 'shop.example.com/api/*'], env)
    assert.equal(deleted.code, 0, deleted.stderr)
    const zoneId = (await t.json('/zones?name=example.com')).body.result[0].id
    assert.deepEqual(
      (await t.json(`/zones/${zoneId}/workers/routes`)).body.result.map((r: any) => r.pattern),
      ['*.platform.example.com/*'],
    )
  })

  it('explains failures and how to fix them', async () => {
    const noZone = await cli(['route', 'add', 'a.nowhere.test/*', 'dispatcher'], env)
    assert.equal(noZone.code, 1)
    assert.match(noZone.stderr, /no zone serves "a\.nowhere\.test\/\*"; pass --zone NAME/)

    const noScript = await cli(['route', 'add', 'x.example.com/*', 'ghost', '--zone', 'example.com'], env)
    assert.equal(noScript.code, 1)
    assert.match(noScript.stderr, /\[code: 10007\]/)

    const missingArgs = await cli(['route', 'add', 'x.example.com/*'], env)
    assert.equal(missingArgs.code, 2)
    assert.match(missingArgs.stderr, /e\.g\. `workerhive route add/)

    const nowhere = { ...env, CLOUDFLARE_API_BASE_URL: 'http://127.0.0.1:9/client/v4' }
    const unreachable = await cli(['zone', 'list'], nowhere)
    assert.equal(unreachable.code, 1)
    assert.match(unreachable.stderr, /cannot reach the API at http:\/\/127\.0\.0\.1:9\/client\/v4/)

    const badToken = await cli(['zone', 'list'], { ...env, CLOUDFLARE_API_TOKEN: 'wrong' })
    assert.equal(badToken.code, 1)
    assert.match(badToken.stderr, /Authentication error \[code: 10000\]/)
  })

  it("falls back to the data dir's credentials and the configured API address", async () => {
    const local = { WORKERHIVE_API_PORT: String(t.platform.apiPort) }
    const res = await cli(['zone', 'list', '--data-dir', t.dataDir], local)
    assert.equal(res.code, 0, res.stderr)
    assert.match(res.stdout, /example\.com\n$/)
  })
})
