import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { AccountId, VersionId } from '../../src/domain/ids.js'
import { planDeployment, planPublish, type CurrentScript, type Minting } from '../../src/storage/shared/scripts.js'
import { StaleScriptVersion, type PublishInput } from '../../src/storage/store.js'
import { sha256Hex } from '../../src/util/ids.js'
import { esmVersion, utf8 } from '../storage/conformance/fixtures.js'

// The plans are pure: given the same input, stored rows and minted ids, they write the same rows.
// The conformance suite checks what each driver does with them; these check the rules alone.

const NOW = '2030-01-01T00:00:00.000Z'
const mint = (): Minting => {
  let n = 0
  return { now: NOW, newId: () => `id-${++n}` }
}
const scope = { accountId: 'acc' as AccountId, namespaceId: null }
const input = (extra: Partial<PublishInput> = {}): PublishInput => ({
  scope,
  name: 'w',
  version: esmVersion('export default {}'),
  ...extra,
})
const stored: CurrentScript = { id: 'script-1', currentVersionId: 'v-old', settings: { logpush: true } }

describe('publish plan', () => {
  it('a first upload creates the script at version 1, current, with a 100 % deployment', () => {
    const plan = planPublish(input({ settings: { usageModel: 'unbound' } }), undefined, 0, mint())
    assert.equal(plan.created, true)
    assert.equal(plan.scriptId, 'id-1')
    assert.equal(plan.versionId, 'id-2')
    assert.equal(plan.version.number, 1)
    assert.equal(plan.insertScript?.current_version_id, 'id-2')
    assert.equal(plan.insertScript?.namespace_id, '', 'account-level scripts use the empty namespace key')
    assert.equal(JSON.parse(plan.insertScript!.settings as string).usageModel, 'unbound')
    assert.equal(JSON.parse(plan.insertScript!.settings as string).logpush, false, 'defaults fill the rest')
    assert.equal(plan.setCurrent, undefined, 'the new row already points at it')
    assert.deepEqual(plan.deployment?.deployment.versions, [{ versionId: 'id-2', percentage: 100 }])
    assert.equal(plan.deployment?.deployment.source, 'api')
    assert.equal(plan.settings, undefined)
  })

  it('stores each module once by hash and keeps only references in the version', () => {
    const plan = planPublish(input(), undefined, 0, mint())
    const hash = sha256Hex(utf8('export default {}'))
    assert.deepEqual(plan.blobs.map((b) => b.hash), [hash])
    assert.deepEqual(JSON.parse(plan.version.modules as string), [
      { name: 'worker.js', type: 'esm', hash, size: utf8('export default {}').byteLength },
    ])
  })

  it('a re-upload takes the next number, becomes current and merges settings over the stored ones', () => {
    const plan = planPublish(input({ settings: { usageModel: 'unbound' }, tags: ['a'] }), stored, 7, mint())
    assert.equal(plan.created, false)
    assert.equal(plan.scriptId, 'script-1')
    assert.equal(plan.insertScript, undefined)
    assert.equal(plan.version.number, 8)
    assert.equal(plan.setCurrent, plan.versionId)
    assert.equal(plan.deployment?.deployment.versions[0]?.percentage, 100)
    const settings = JSON.parse(plan.settings!)
    assert.equal(settings.logpush, true, 'stored setting kept')
    assert.equal(settings.usageModel, 'unbound', 'patch applied')
    assert.deepEqual(plan.tags, ['a'])
  })

  it('a version uploaded without deploying is stored but neither current nor deployed', () => {
    const plan = planPublish(input({ deploy: false }), stored, 1, mint())
    assert.equal(plan.version.number, 2)
    assert.equal(plan.setCurrent, undefined)
    assert.equal(plan.deployment, undefined)
  })

  it('the first version of a script is deployed even when asked not to be', () => {
    const plan = planPublish(input({ deploy: false }), undefined, 0, mint())
    assert.ok(plan.deployment)
  })

  it('a stale ifCurrent throws before anything is planned', () => {
    assert.throws(() => planPublish(input({ ifCurrent: 'v-other' as VersionId }), stored, 1, mint()), StaleScriptVersion)
    assert.throws(() => planPublish(input({ ifCurrent: null }), stored, 1, mint()), StaleScriptVersion)
    assert.throws(() => planPublish(input({ ifCurrent: 'v-old' as VersionId }), undefined, 0, mint()), StaleScriptVersion)
    assert.equal(planPublish(input({ ifCurrent: 'v-old' as VersionId }), stored, 1, mint()).created, false)
    assert.equal(planPublish(input({ ifCurrent: null }), undefined, 0, mint()).created, true)
  })

  it('the etag changes with the code and not with the annotations', () => {
    const a = planPublish(input(), undefined, 0, mint()).version.etag
    const b = planPublish(input({ version: esmVersion('export default {}', { annotations: { m: 'x' } }) }), undefined, 0, mint())
    const c = planPublish(input({ version: esmVersion('export default { x: 1 }') }), undefined, 0, mint())
    assert.equal(b.version.etag, a)
    assert.notEqual(c.version.etag, a)
  })
})

describe('deployment plan', () => {
  it('the version with the largest share becomes current', () => {
    const versions = [
      { versionId: 'v1' as VersionId, percentage: 30 },
      { versionId: 'v2' as VersionId, percentage: 70 },
    ]
    const planned = planDeployment('script-1', versions, { source: 'wrangler', annotations: { m: 'x' } }, mint())
    assert.equal(planned.current, 'v2')
    assert.equal(planned.row.script_id, 'script-1')
    assert.equal(planned.row.created_on, NOW)
    assert.deepEqual(JSON.parse(planned.row.versions as string), versions)
    assert.deepEqual(planned.deployment.annotations, { m: 'x' })
    assert.equal(planned.deployment.strategy, 'percentage')
  })
})
