import assert from 'node:assert/strict'
import type { ScriptId, VersionId } from '../../../src/domain/ids.js'
import { isoTime } from '../../../src/util/clock.js'
import { sha256Hex } from '../../../src/util/ids.js'
import type { DefineCase } from './suite.js'
import { defaultSettings } from '../../../src/storage/shared/scripts.js'
import { StaleScriptVersion } from '../../../src/storage/store.js'
import { esmVersion, newAccount, newNamespaceScope, utf8 } from './fixtures.js'

/** Publishing, versions and deployments; listing, tags and deletion are in script-listing.ts. */
export function scriptCases(test: DefineCase): void {
  test('publish: a first upload creates the script with version 1, deployed', async ({ store, clock }) => {
    const scope = await newNamespaceScope(store, 'a')
    const now = isoTime(clock.now())
    const { script, version, created } = await store.scripts.publish({
      scope,
      name: 'hello',
      version: esmVersion('export default {}'),
      tags: ['b', 'a'],
    })
    assert.equal(created, true)
    assert.deepEqual(script, {
      id: script.id,
      accountId: scope.accountId,
      namespaceId: scope.namespaceId,
      name: 'hello',
      currentVersionId: version.id,
      createdOn: now,
      modifiedOn: now,
      tags: ['a', 'b'],
      settings: defaultSettings(),
      subdomainEnabled: true,
      previewsEnabled: false,
      migrationTag: null,
    })
    assert.equal(version.number, 1)
    assert.equal(version.scriptId, script.id)
    assert.equal(version.createdOn, now)
    assert.deepEqual(version.handlers, ['fetch'])
    assert.deepEqual(version.annotations, {})
    assert.equal(version.source, 'api')
    const deployments = await store.scripts.deployments(script.id)
    assert.equal(deployments.length, 1)
    assert.deepEqual(deployments[0]!.versions, [{ versionId: version.id, percentage: 100 }])
    assert.equal(deployments[0]!.strategy, 'percentage')
    assert.equal(deployments[0]!.createdOn, now)
    assert.deepEqual(await store.scripts.get(scope, 'hello'), script)
    assert.deepEqual(await store.scripts.getById(script.id), script)
  })

  test('rewriteBindings: rewrites the versions the edit changes, every version of every script, and no other', async ({ store }) => {
    const scope = await newNamespaceScope(store, 'rw')
    const marker = `REWRITE_${Math.random().toString(36).slice(2)}`
    const bindings = [{ type: 'secret_text', name: marker, text: 'old' }]
    const first = await store.scripts.publish({ scope, name: 'one', version: esmVersion('export default {}', { bindings }) })
    const second = await store.scripts.publish({ scope, name: 'one', version: esmVersion('export default {}', { bindings }) })
    const other = await store.scripts.publish({ scope, name: 'two', version: esmVersion('export default {}', { bindings: [{ type: 'plain_text', name: 'X', text: 'x' }] }) })
    const changed = await store.scripts.rewriteBindings((bs) =>
      bs.some((b) => b.name === marker) ? bs.map((b) => ({ ...b, text: 'new' })) : undefined,
    )
    assert.equal(changed, 2)
    for (const v of [first.version, second.version]) assert.deepEqual((await store.scripts.version(v.id))!.bindings, [{ type: 'secret_text', name: marker, text: 'new' }])
    assert.deepEqual((await store.scripts.version(other.version.id))!.bindings, [{ type: 'plain_text', name: 'X', text: 'x' }])
    // An edit that throws changes nothing (one transaction).
    await assert.rejects(store.scripts.rewriteBindings((bs) => {
      if (bs.some((b) => b.name === marker && b.text === 'new')) throw new Error('stop')
      return undefined
    }), /stop/)
    assert.equal((await store.scripts.version(first.version.id))!.bindings[0]!.text, 'new')
  })

  test('publish: module content is stored by hash and served back byte for byte', async ({ store }) => {
    const scope = await newNamespaceScope(store, 'a')
    const wasm = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0xff, 0x00, 0x80])
    const code = 'import m from "./m.wasm"; export default {}'
    const { version } = await store.scripts.publish({
      scope,
      name: 'mods',
      version: esmVersion(code, {
        modules: [
          { name: 'worker.js', type: 'esm', content: utf8(code) },
          { name: 'm.wasm', type: 'wasm', content: wasm },
        ],
      }),
    })
    assert.deepEqual(version.modules, [
      { name: 'worker.js', type: 'esm', hash: sha256Hex(utf8(code)), size: utf8(code).byteLength },
      { name: 'm.wasm', type: 'wasm', hash: sha256Hex(wasm), size: wasm.byteLength },
    ])
    assert.deepEqual(await store.scripts.moduleContent(sha256Hex(wasm)), wasm)
    assert.equal(await store.scripts.moduleContent(sha256Hex('never stored')), undefined)

    // A later version may refer to stored modules by hash instead of sending them again.
    const byRef = esmVersion(code, { modules: version.modules })
    const again = await store.scripts.publish({ scope, name: 'other', version: byRef })
    assert.deepEqual(again.version.modules, version.modules)
    assert.equal(again.version.etag, version.etag)
  })

  test('publish: every version field round-trips as given', async ({ store }) => {
    const scope = await newNamespaceScope(store, 'a')
    const bindings = [
      { type: 'plain_text', name: 'GREETING', text: 'hi' },
      { type: 'kv_namespace', name: 'KV', namespace_id: 'f'.repeat(32), extra: { z: 1, a: [1, { y: null }] } },
    ]
    const { version } = await store.scripts.publish({
      scope,
      name: 'sw',
      version: {
        format: 'service-worker',
        mainModule: 'script.js',
        modules: [{ name: 'script.js', type: 'commonjs', content: utf8('addEventListener("fetch", f)') }],
        compatibilityDate: '2024-09-23',
        compatibilityFlags: ['nodejs_compat', 'no_global_navigator'],
        bindings,
        annotations: { 'workers/message': 'first', 'workers/tag': 'v1' },
        source: 'wrangler',
        handlers: ['fetch', 'scheduled'],
      },
    })
    const stored = await store.scripts.version(version.id)
    assert.deepEqual(stored, version)
    assert.equal(version.format, 'service-worker')
    assert.equal(version.mainModule, 'script.js')
    assert.equal(version.compatibilityDate, '2024-09-23')
    assert.deepEqual(version.compatibilityFlags, ['nodejs_compat', 'no_global_navigator'])
    assert.deepEqual(version.annotations, { 'workers/message': 'first', 'workers/tag': 'v1' })
    assert.equal(version.source, 'wrangler')
    assert.deepEqual(version.handlers, ['fetch', 'scheduled'])
    // Key order too: callers serialize stored bindings again (etags, merges), so it must not move.
    assert.equal(JSON.stringify(stored!.bindings), JSON.stringify(bindings))
  })

  test('publish: the etag follows code, bindings and dates, not annotations', async ({ store }) => {
    const scope = await newNamespaceScope(store, 'a')
    const publish = async (name: string, code: string, extra: Parameters<typeof esmVersion>[1] = {}) =>
      (await store.scripts.publish({ scope, name, version: esmVersion(code, extra) })).version.etag
    const base = await publish('a', 'x')
    assert.equal(await publish('b', 'x', { annotations: { 'workers/message': 'hi' } }), base)
    assert.notEqual(await publish('c', 'y'), base)
    assert.notEqual(await publish('d', 'x', { bindings: [{ type: 'plain_text', name: 'A', text: '1' }] }), base)
    assert.notEqual(await publish('e', 'x', { compatibilityDate: '2025-06-01' }), base)
  })

  test('publish: a re-upload makes the next version current, keeps tags unless given, merges settings', async ({ store, clock }) => {
    const scope = await newNamespaceScope(store, 'a')
    const first = await store.scripts.publish({
      scope,
      name: 'app',
      version: esmVersion('v1'),
      tags: ['keep'],
      settings: { logpush: true, limits: { cpu_ms: 50 } },
    })
    assert.equal(first.script.settings.logpush, true)
    clock.advance(60_000)
    const settings = { usageModel: 'unbound' }
    const second = await store.scripts.publish({ scope, name: 'app', version: esmVersion('v2'), settings })
    assert.equal(second.created, false)
    assert.equal(second.script.id, first.script.id)
    assert.equal(second.version.number, 2)
    assert.equal(second.script.currentVersionId, second.version.id)
    assert.deepEqual(second.script.tags, ['keep'])
    const merged = { ...defaultSettings(), logpush: true, limits: { cpu_ms: 50 }, usageModel: 'unbound' }
    assert.deepEqual(second.script.settings, merged)
    assert.equal(second.script.createdOn, first.script.createdOn)
    assert.equal(second.script.modifiedOn, isoTime(clock.now()))

    const third = await store.scripts.publish({ scope, name: 'app', version: esmVersion('v3'), tags: [] })
    assert.equal(third.version.number, 3)
    assert.deepEqual(third.script.tags, [])
    assert.deepEqual((await store.scripts.versions(first.script.id)).map((v) => v.number), [3, 2, 1])
    assert.equal((await store.scripts.deployments(first.script.id)).length, 3)
  })

  test('publish: deploy false stores a version without moving current or recording a deployment', async ({ store }) => {
    const scope = await newNamespaceScope(store, 'a')
    const first = await store.scripts.publish({ scope, name: 'app', version: esmVersion('v1') })
    const staged = await store.scripts.publish({ scope, name: 'app', version: esmVersion('v2'), deploy: false })
    assert.equal(staged.created, false)
    assert.equal(staged.version.number, 2)
    assert.equal(staged.script.currentVersionId, first.version.id)
    assert.equal((await store.scripts.get(scope, 'app'))?.currentVersionId, first.version.id)
    assert.deepEqual(await store.scripts.version(staged.version.id), staged.version)
    assert.equal((await store.scripts.deployments(first.script.id)).length, 1)
  })

  test('publish: deploy false on a new script still makes its first version current', async ({ store }) => {
    const scope = await newNamespaceScope(store, 'a')
    const staged = { scope, name: 'new', version: esmVersion('v1'), deploy: false }
    const { script, version, created } = await store.scripts.publish(staged)
    assert.equal(created, true)
    assert.equal(script.currentVersionId, version.id)
    assert.equal((await store.scripts.deployments(script.id)).length, 1)
  })

  test('publish: ifCurrent null creates only while the script does not exist', async ({ store }) => {
    const scope = await newNamespaceScope(store, 'a')
    const first = await store.scripts.publish({ scope, name: 'app', version: esmVersion('1'), ifCurrent: null })
    assert.equal(first.created, true)
    await assert.rejects(
      store.scripts.publish({ scope, name: 'app', version: esmVersion('v2'), ifCurrent: null }),
      StaleScriptVersion,
    )
    assert.equal((await store.scripts.versions(first.script.id)).length, 1)
  })

  test('publish: a stale ifCurrent throws StaleScriptVersion and changes nothing', async ({ store }) => {
    const scope = await newNamespaceScope(store, 'a')
    const v1 = await store.scripts.publish({ scope, name: 'app', version: esmVersion('v1'), tags: ['t'] })
    const ifCurrent = v1.version.id
    const v2 = await store.scripts.publish({ scope, name: 'app', version: esmVersion('v2'), ifCurrent })
    assert.equal(v2.version.number, 2)
    const before = await store.scripts.get(scope, 'app')
    await assert.rejects(
      store.scripts.publish({
        scope,
        name: 'app',
        version: esmVersion('v3'),
        ifCurrent: v1.version.id,
        tags: ['changed'],
        settings: { logpush: true },
      }),
      StaleScriptVersion,
    )
    assert.deepEqual(await store.scripts.get(scope, 'app'), before)
    assert.equal((await store.scripts.versions(v1.script.id)).length, 2)
    assert.equal((await store.scripts.deployments(v1.script.id)).length, 2)

    // A version id on a script that does not exist is just as stale.
    await assert.rejects(
      store.scripts.publish({ scope, name: 'absent', version: esmVersion('x'), ifCurrent: v1.version.id }),
      StaleScriptVersion,
    )
    assert.equal(await store.scripts.get(scope, 'absent'), undefined)
  })

  test('publish: of concurrent publishes from the same read, exactly one wins', async ({ store }) => {
    const scope = await newNamespaceScope(store, 'a')
    const read = await store.scripts.publish({ scope, name: 'app', version: esmVersion('v1') })
    const racers = Array.from({ length: 6 }, (_, i) =>
      store.scripts.publish({ scope, name: 'app', version: esmVersion(`${i}`), ifCurrent: read.version.id }),
    )
    const outcomes = await Promise.allSettled(racers)
    const won = outcomes.filter((o) => o.status === 'fulfilled')
    const lost = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason] : []))
    assert.equal(won.length, 1)
    const unexpected = lost.filter((e) => !(e instanceof StaleScriptVersion))
    assert.deepEqual(unexpected, [])
    assert.equal((await store.scripts.versions(read.script.id)).length, 2)
  })

  test('publish: concurrent first uploads of one name make one script with distinct version numbers', async ({ store }) => {
    const scope = await newNamespaceScope(store, 'a')
    const results = await Promise.all(
      ['0', '1', '2', '3', '4', '5'].map((code) =>
        store.scripts.publish({ scope, name: 'burst', version: esmVersion(code) }),
      ),
    )
    assert.equal(results.filter((r) => r.created).length, 1)
    assert.equal(new Set(results.map((r) => r.script.id)).size, 1)
    assert.deepEqual(results.map((r) => r.version.number).sort((x, y) => x - y), [1, 2, 3, 4, 5, 6])
    assert.equal((await store.scripts.versions(results[0]!.script.id)).length, 6)
  })

  test('scopes: one name in two namespaces and at account level is three scripts; accounts do not mix', async ({ store }) => {
    const accountId = await newAccount(store, 'a')
    const prod = await store.namespaces.create(accountId, 'prod')
    const dev = await store.namespaces.create(accountId, 'dev')
    const scopes = [
      { accountId, namespaceId: prod.id },
      { accountId, namespaceId: dev.id },
      { accountId, namespaceId: null },
    ]
    const ids = []
    for (const scope of scopes) {
      const code = `${scope.namespaceId}`
      const r = await store.scripts.publish({ scope, name: 'same', version: esmVersion(code) })
      assert.equal(r.created, true)
      assert.equal(r.script.namespaceId, scope.namespaceId)
      ids.push(r.script.id)
    }
    assert.equal(new Set(ids).size, 3)
    assert.equal((await store.scripts.get({ accountId, namespaceId: null }, 'same'))?.id, ids[2])

    const other = await newAccount(store, 'b')
    assert.equal(await store.scripts.get({ accountId: other, namespaceId: prod.id }, 'same'), undefined)
    assert.equal(await store.scripts.get({ accountId: other, namespaceId: null }, 'same'), undefined)
    assert.equal(await store.scripts.delete({ accountId: other, namespaceId: null }, 'same'), false)
    assert.ok(await store.scripts.getById(ids[2]!))
  })

  test('scripts: unknown ids answer undefined or empty', async ({ store }) => {
    const scope = await newNamespaceScope(store, 'a')
    const missing = '00000000-0000-4000-8000-000000000000'
    assert.equal(await store.scripts.get(scope, 'missing'), undefined)
    assert.equal(await store.scripts.getById(missing as ScriptId), undefined)
    assert.equal(await store.scripts.version(missing as VersionId), undefined)
    assert.deepEqual(await store.scripts.versions(missing as ScriptId), [])
    assert.deepEqual(await store.scripts.deployments(missing as ScriptId), [])
    assert.equal(await store.scripts.updateSettings(scope, 'missing', { logpush: true }), undefined)
    const flags = { enabled: false, previewsEnabled: false }
    assert.equal(await store.scripts.setSubdomain(scope, 'missing', flags), undefined)
  })

  test('settings: updateSettings merges and moves modifiedOn', async ({ store, clock }) => {
    const scope = await newNamespaceScope(store, 'a')
    const settings = { logpush: true }
    const { script } = await store.scripts.publish({ scope, name: 'app', version: esmVersion('v1'), settings })
    clock.advance(1000)
    const updated = await store.scripts.updateSettings(scope, 'app', {
      observability: { enabled: true, head_sampling_rate: 0.5 },
      tailConsumers: [{ service: 'tail' }],
    })
    assert.deepEqual(updated?.settings, {
      ...defaultSettings(),
      logpush: true,
      observability: { enabled: true, head_sampling_rate: 0.5 },
      tailConsumers: [{ service: 'tail' }],
    })
    assert.equal(updated?.modifiedOn, isoTime(clock.now()))
    assert.equal(updated?.currentVersionId, script.currentVersionId)
    assert.deepEqual((await store.scripts.get(scope, 'app'))?.settings, updated?.settings)
  })

  test('settings: setSubdomain sets both flags; a new script is enabled without previews', async ({ store }) => {
    const scope = { accountId: await newAccount(store, 'a'), namespaceId: null }
    const { script } = await store.scripts.publish({ scope, name: 'app', version: esmVersion('v1') })
    assert.equal(script.subdomainEnabled, true)
    assert.equal(script.previewsEnabled, false)
    const flipped = await store.scripts.setSubdomain(scope, 'app', { enabled: false, previewsEnabled: true })
    assert.equal(flipped?.subdomainEnabled, false)
    assert.equal(flipped?.previewsEnabled, true)
    assert.deepEqual(await store.scripts.get(scope, 'app'), flipped)
  })

  test('deploy: moves current to the version with the largest share and records the split', async ({ store, clock }) => {
    const scope = await newNamespaceScope(store, 'a')
    const v1 = await store.scripts.publish({ scope, name: 'app', version: esmVersion('v1') })
    const v2 = await store.scripts.publish({ scope, name: 'app', version: esmVersion('v2'), deploy: false })
    clock.advance(1000)
    const versions = [
      { versionId: v1.version.id, percentage: 30 },
      { versionId: v2.version.id, percentage: 70 },
    ]
    const meta = { source: 'wrangler', annotations: { 'workers/message': 'split' } }
    const d = await store.scripts.deploy(v1.script.id, versions, meta)
    assert.deepEqual(d, {
      id: d.id,
      scriptId: v1.script.id,
      createdOn: isoTime(clock.now()),
      source: 'wrangler',
      strategy: 'percentage',
      versions,
      annotations: { 'workers/message': 'split' },
    })
    const script = await store.scripts.getById(v1.script.id)
    assert.equal(script?.currentVersionId, v2.version.id)
    assert.equal(script?.modifiedOn, isoTime(clock.now()))
    assert.deepEqual((await store.scripts.deployments(v1.script.id))[0], d)
  })

  test('deploy: deployments list newest first, even within one millisecond', async ({ store }) => {
    const scope = await newNamespaceScope(store, 'a')
    const v1 = await store.scripts.publish({ scope, name: 'app', version: esmVersion('v1') })
    const v2 = await store.scripts.publish({ scope, name: 'app', version: esmVersion('v2') })
    const rollback = [{ versionId: v1.version.id, percentage: 100 }]
    const back = await store.scripts.deploy(v1.script.id, rollback, { source: 'api', annotations: {} })
    const listed = await store.scripts.deployments(v1.script.id)
    assert.deepEqual(
      listed.map((d) => d.versions[0]!.versionId),
      [v1.version.id, v2.version.id, v1.version.id],
    )
    assert.equal(listed[0]!.id, back.id)
    assert.equal((await store.scripts.getById(v1.script.id))?.currentVersionId, v1.version.id)
  })

  test('activeDeployment: the newest deployment, split or not; none for a missing script', async ({ store }) => {
    const scope = await newNamespaceScope(store, 'a')
    const v1 = await store.scripts.publish({ scope, name: 'app', version: esmVersion('v1') })
    const first = await store.scripts.activeDeployment(v1.script.id)
    assert.deepEqual(first?.versions, [{ versionId: v1.version.id, percentage: 100 }])
    const v2 = await store.scripts.publish({ scope, name: 'app', version: esmVersion('v2'), deploy: false })
    const split = [
      { versionId: v1.version.id, percentage: 40 },
      { versionId: v2.version.id, percentage: 60 },
    ]
    const d = await store.scripts.deploy(v1.script.id, split, { source: 'api', annotations: {} })
    assert.deepEqual(await store.scripts.activeDeployment(v1.script.id), d)
    const v3 = await store.scripts.publish({ scope, name: 'app', version: esmVersion('v3') })
    const redeployed = await store.scripts.activeDeployment(v1.script.id)
    assert.deepEqual(redeployed?.versions, [{ versionId: v3.version.id, percentage: 100 }])
    assert.equal(await store.scripts.activeDeployment('missing' as ScriptId), undefined)
  })

  test('pruneVersions: keeps the newest, and every version the active deployment serves', async ({ store, clock }) => {
    const scope = await newNamespaceScope(store, 'a')
    const v1 = await store.scripts.publish({ scope, name: 'app', version: esmVersion('v1') })
    const ids = [v1.version.id]
    for (const code of ['v2', 'v3', 'v4', 'v5']) {
      clock.advance(1000)
      ids.push((await store.scripts.publish({ scope, name: 'app', version: esmVersion(code), deploy: false })).version.id)
    }
    // v1 (current) and v2 serve a split; v3 … v5 are uploaded, not deployed
    await store.scripts.deploy(v1.script.id, [
      { versionId: ids[0]!, percentage: 60 },
      { versionId: ids[1]!, percentage: 40 },
    ], { source: 'api', annotations: {} })
    const [, , v3, v4, v5] = ids
    const pruned = await store.scripts.pruneVersions(v1.script.id, 3)
    assert.deepEqual(pruned.sort(), [v3!, v4!].sort(), 'the served two count toward the three kept')
    const left = (await store.scripts.versions(v1.script.id)).map((v) => v.id)
    assert.deepEqual(left, [v5!, ids[1]!, ids[0]!])
    assert.equal(await store.scripts.version(v3!), undefined)
    // nothing to do; and never the served ones nor the newest, even with keep 1
    assert.deepEqual(await store.scripts.pruneVersions(v1.script.id, 3), [])
    assert.deepEqual(await store.scripts.pruneVersions(v1.script.id, 1), [])
    assert.deepEqual((await store.scripts.versions(v1.script.id)).map((v) => v.id), [v5!, ids[1]!, ids[0]!])
    assert.deepEqual(await store.scripts.pruneVersions('missing' as ScriptId, 1), [])
    // a new version still gets the next number
    const next = await store.scripts.publish({ scope, name: 'app', version: esmVersion('v6') })
    assert.equal(next.version.number, 6)
  })
}
