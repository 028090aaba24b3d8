import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, it } from 'node:test'
import { StartupChecker } from '../../src/runtime/startup-check.js'
import type { StartupCandidate } from '../../src/runtime/startup-candidate.js'
import type { Keyring } from '../../src/secrets/sealer.js'
import type { ScriptVersion, Store } from '../../src/storage/store.js'
import { codeBundle } from '../../src/runtime/internal/descriptors.js'
import { CPU_CHECKPOINT } from '../../src/shared/protocol.js'
import { sha256Hex } from '../../src/util/ids.js'
import type { AccountId } from '../../src/domain/ids.js'
import { systemClock } from '../../src/util/clock.js'

// The checker in front of a stand-in probation process (its control socket), which passes every
// check whose code says "ok" and counts the checks it ran.
describe('StartupChecker: a passed check is not run again for the same code', () => {
  let server: Server
  const ran: string[] = []
  let checker: StartupChecker

  before(async () => {
    server = createServer((req, res) => {
      let body = ''
      req.on('data', (c) => (body += c))
      req.on('end', () => {
        const check = JSON.parse(body) as { script: { name: string }; code: { modules: Array<{ content?: string }> } }
        ran.push(check.script.name)
        const ok = JSON.stringify(check.code).includes('ok')
        res.setHeader('content-type', 'application/json')
        res.end(JSON.stringify(ok ? { ok: true, exports: { default: { kind: 'object', members: ['fetch'] } } } : { ok: false, error: 'boom' }))
      })
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    const controlPort = (server.address() as AddressInfo).port
    const probation = { index: 0, role: 'probation' as const, pid: 1, state: 'ready' as const, controlPort, startedAt: 0, restarts: 0 }
    checker = new StartupChecker({
      // Account scripts without bindings: the description reads neither the store nor the keyring.
      store: {} as Store,
      keyring: {} as Keyring,
      clock: systemClock,
      secret: 's',
      processes: () => [probation],
      whenReady: async () => {},
      whenExited: async () => {},
      deadlineMs: 5_000,
    })
  })
  after(() => server.close())

  const candidate = (name: string, code: string, flags: string[] = []): StartupCandidate => ({
    accountId: 'acct' as AccountId,
    namespaceId: null,
    name,
    version: {
      format: 'modules',
      mainModule: 'index.js',
      modules: [{ name: 'index.js', type: 'esm', content: new TextEncoder().encode(code) }],
      compatibilityDate: '2026-01-01',
      compatibilityFlags: flags,
      bindings: [],
    },
  })

  it('runs the same code once across names, and again when anything it runs with differs', async () => {
    ran.length = 0
    const code = 'export default { fetch() { return new Response("ok") } }'
    for (const name of ['a', 'b', 'c']) assert.equal((await checker.run(candidate(name, code))).ok, true)
    assert.deepEqual(ran, ['a'])
    await checker.run(candidate('d', code, ['nodejs_compat']))
    await checker.run(candidate('e', code.replace('ok', 'ok!')))
    assert.deepEqual(ran, ['a', 'd', 'e'])
  })

  it('runs a failed check again every time', async () => {
    ran.length = 0
    const code = 'export default { fetch() { return new Response("no") } }'
    for (const name of ['x', 'x']) assert.equal((await checker.run(candidate(name, code))).ok, false)
    assert.deepEqual(ran, ['x', 'x'])
  })

  it('inserts a passed upload\'s CPU checkpoints before its first load, not on it', async () => {
    const code = 'export default { fetch() { for (;;) return new Response("ok, prepared") } }'
    assert.equal((await checker.run(candidate('prepared', code))).ok, true)
    // A store that hands out other content for that hash: what is served must come from the upload.
    const store = { scripts: { moduleContent: async () => new TextEncoder().encode('export default {}') } } as unknown as Store
    const hash = sha256Hex(new TextEncoder().encode(code))
    const version = { id: 'v', modules: [{ name: 'index.js', type: 'esm', hash, size: code.length }] } as unknown as ScriptVersion
    const served = (await codeBundle(store, version)).modules[0]!.text ?? ''
    assert.match(served, /ok, prepared/)
    assert.ok(served.includes(`${CPU_CHECKPOINT}()`), served)
  })
})
