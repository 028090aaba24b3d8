import assert from 'node:assert/strict'
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { loadConfig } from '../../src/config/config.js'
import { startPlatform } from '../../src/main.js'
import { openSqliteStore } from '../../src/storage/sqlite/index.js'
import { open, parseSecretsKey, seal } from '../../src/secrets/sealer.js'
import { runCli } from '../helpers/cli.js'
import { accountScriptPath, defaultHost, edge, putScript } from '../helpers/edge.js'
import { jsonBody, startTestPlatform, type TestPlatform } from '../helpers/platform.js'

// Secrets sealed at rest, file modes, migration of plaintext secrets and key rotation, through the
// real platform: values are read back from the edge, where only the runtime opens them.

const WORKER = `export default { fetch(req, env) { return new Response(env.TOKEN ?? 'none') } }`
const SECRET = 'plain-secret-0f9c2e'

const mode = (path: string) => statSync(path).mode & 0o777
/** Every byte SQLite keeps: the database and its write-ahead log. */
const rawDatabase = (dataDir: string) =>
  readdirSync(dataDir)
    .filter((f) => f.startsWith('workerhive.db'))
    .map((f) => readFileSync(join(dataDir, f)).toString('latin1'))
    .join('')
const storedToken = async (dataDir: string) => {
  const store = openSqliteStore({ dataDir })
  try {
    const [script] = (await store.scripts.list({ accountId: (await store.accounts.list())[0]!.id, namespaceId: null }, { limit: 10 })).scripts
    return (await store.scripts.version(script!.currentVersionId))!.bindings.find((b) => b.name === 'TOKEN')!
  } finally {
    await store.close()
  }
}

describe('data at rest', () => {
  let dataDir: string
  let t: TestPlatform
  const served = async () => (await edge(t, await defaultHost(t, 'app'), '/')).text

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'workerhive-at-rest-'))
    t = await startTestPlatform({ dataDir })
    const up = await putScript(t, accountScriptPath(t, 'app'), WORKER)
    assert.equal(up.status, 200, JSON.stringify(up.body))
    const put = await t.json(`${accountScriptPath(t, 'app')}/secrets`, { method: 'PUT', ...jsonBody({ name: 'TOKEN', text: SECRET, type: 'secret_text' }) })
    assert.equal(put.status, 200, JSON.stringify(put.body))
  })
  after(async () => {
    await t.platform.stop()
    rmSync(dataDir, { recursive: true, force: true })
  })

  it('keeps secret values sealed in the database and gives the Worker the value', async () => {
    assert.equal(await served(), SECRET)
    assert.ok(!rawDatabase(dataDir).includes(SECRET), 'the secret is in the database file in clear')
    const stored = await storedToken(dataDir)
    assert.equal(stored.text, undefined)
    assert.match(String(stored.sealed), /^wh1:[0-9a-f]{8}:/)
  })

  it('makes the data dir 0700 and its files 0600, also when they were looser', async () => {
    await t.platform.stop()
    chmodSync(dataDir, 0o755)
    for (const f of readdirSync(dataDir, { withFileTypes: true })) if (f.isFile()) chmodSync(join(dataDir, f.name), 0o644)
    t = await startTestPlatform({ dataDir })
    assert.equal(mode(dataDir), 0o700)
    for (const f of ['workerhive.db', 'workerhive.db-wal', 'workerhive.db-shm', 'credentials.json', 'secrets.key'])
      assert.equal(mode(join(dataDir, f)).toString(8), '600', f)
  })

  it('seals plaintext secrets stored before encryption at rest when it starts', async () => {
    await t.platform.stop()
    // What an older Workerhive stored: the binding with its value in clear.
    const store = openSqliteStore({ dataDir })
    await store.scripts.rewriteBindings((bindings) => bindings.map((b) => (b.name === 'TOKEN' ? { type: 'secret_text', name: 'TOKEN', text: 'legacy-plain-7d1' } : b)))
    await store.close()
    assert.ok(rawDatabase(dataDir).includes('legacy-plain-7d1'))
    t = await startTestPlatform({ dataDir })
    assert.equal(await served(), 'legacy-plain-7d1')
    const stored = await storedToken(dataDir)
    assert.equal(stored.text, undefined)
    assert.match(String(stored.sealed), /^wh1:/)
  })

  it('`secrets rotate-key` re-seals everything with a new key, refused while the platform runs', async () => {
    const running = await runCli(['secrets', 'rotate-key', '--data-dir', dataDir])
    assert.equal(running.code, 1, running.stderr)
    assert.match(running.stderr, /in use by a running Workerhive/)
    const before = await storedToken(dataDir)
    const keyBefore = readFileSync(join(dataDir, 'secrets.key'), 'utf8')
    // An edge certificate's key is sealed with the same key and re-sealed with the rest.
    const oldKey = parseSecretsKey(keyBefore)!
    const certificate = { hostname: 'shop.example.net', source: 'custom', certificatePem: 'PEM', sealedKey: seal(oldKey, 'KEY PEM'), issuer: 'CN=x', notBefore: 0, notAfter: 1, renewAt: 1 } as const
    await t.platform.store.tls.putCertificate(certificate)
    await t.platform.stop()
    const rotated = await runCli(['secrets', 'rotate-key', '--data-dir', dataDir])
    assert.equal(rotated.code, 0, rotated.stderr)
    assert.match(rotated.stdout, /Re-sealed the secrets of \d+ script versions with key [0-9a-f]{8}/)
    const keyAfter = readFileSync(join(dataDir, 'secrets.key'), 'utf8')
    assert.notEqual(keyAfter, keyBefore)
    assert.equal(mode(join(dataDir, 'secrets.key')), 0o600)
    const after = await storedToken(dataDir)
    assert.notEqual(String(after.sealed).split(':')[1], String(before.sealed).split(':')[1])
    const store = openSqliteStore({ dataDir })
    const resealed = (await store.tls.certificate('shop.example.net'))!.sealedKey
    await store.close()
    const newKey = parseSecretsKey(keyAfter)!
    assert.equal(resealed.split(':')[1], newKey.id)
    assert.equal(open({ current: newKey, previous: [] }, resealed), 'KEY PEM')
    t = await startTestPlatform({ dataDir })
    assert.equal(await served(), 'legacy-plain-7d1')
  })

  it('refuses to start with a key that does not open the stored secrets, in one sentence', async () => {
    await t.platform.stop()
    const config = loadConfig({ dataDir, apiPort: 0, edgePort: 0, logLevel: 'silent', secretsKey: 'b2'.repeat(32) }, {})
    await assert.rejects(startPlatform(config), /the stored secrets are sealed with key [0-9a-f]{8}, not with the configured key [0-9a-f]{8}/)
    t = await startTestPlatform({ dataDir })
    assert.equal(await served(), 'legacy-plain-7d1')
  })
})

describe('secrets key with PostgreSQL', () => {
  it('refuses to start without an operator-supplied key, before it connects', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'workerhive-pg-key-'))
    try {
      const config = loadConfig({ dataDir, apiPort: 0, edgePort: 0, logLevel: 'silent', storage: 'postgres', postgresUrl: 'postgres://nobody@127.0.0.1:1/none' }, {})
      await assert.rejects(startPlatform(config), /with --storage postgres every node must seal secrets with the same key: set WORKERHIVE_SECRETS_KEY/)
    } finally {
      rmSync(dataDir, { recursive: true, force: true })
    }
  })
})
