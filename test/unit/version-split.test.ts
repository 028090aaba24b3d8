import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { parseOverrides, pickShare } from '../../src/shared/version-split.js'

const v = (versionId: string) => ({ versionId })
const shares = [
  { percentage: 40, script: v('new') },
  { percentage: 60, script: v('old') },
]
const input = { name: 'shop', overrides: null, versionKey: null, random: () => 0 }

describe('pickShare', () => {
  it('lays the shares out in order over [0, 100)', () => {
    assert.equal(pickShare(shares, { ...input, random: () => 0 }).versionId, 'new')
    assert.equal(pickShare(shares, { ...input, random: () => 0.3999 }).versionId, 'new')
    assert.equal(pickShare(shares, { ...input, random: () => 0.4 }).versionId, 'old')
    assert.equal(pickShare(shares, { ...input, random: () => 0.9999 }).versionId, 'old')
  })

  it('never picks a 0 % version by draw, but an override reaches it', () => {
    const smoke = [
      { percentage: 0, script: v('new') },
      { percentage: 100, script: v('old') },
    ]
    assert.equal(pickShare(smoke, { ...input, random: () => 0 }).versionId, 'old')
    assert.equal(pickShare(smoke, { ...input, overrides: 'shop="new"' }).versionId, 'new')
  })

  it('ignores an override for another script, for a version outside the deployment, or malformed', () => {
    for (const overrides of ['cart="new"', 'shop="gone"', 'shop=new', 'shop="new", !bad="x"']) {
      assert.equal(pickShare(shares, { ...input, overrides, random: () => 0.9 }).versionId, 'old', overrides)
    }
  })

  it('maps a version key to one point, and keeps it on the new version while its share grows', () => {
    const keyed = (key: string, newShare: number) =>
      pickShare(
        [
          { percentage: newShare, script: v('new') },
          { percentage: 100 - newShare, script: v('old') },
        ],
        { ...input, versionKey: key, random: () => Math.random() },
      ).versionId
    const keys = Array.from({ length: 200 }, (_, i) => `user-${i}`)
    for (const key of keys) assert.equal(keyed(key, 30), keyed(key, 30))
    const onNew = keys.filter((k) => keyed(k, 10) === 'new')
    assert.ok(onNew.length > 0 && onNew.length < 60, `${onNew.length} of 200 keys at 10 %`)
    for (const key of onNew) assert.equal(keyed(key, 50), 'new')
  })
})

describe('parseOverrides', () => {
  it('reads a Structured Fields dictionary of strings', () => {
    assert.deepEqual(
      [...parseOverrides('a="1", b-c="x,y";p=1 , d="q\\"e"')!],
      [
        ['a', '1'],
        ['b-c', 'x,y'],
        ['d', 'q"e'],
      ],
    )
    assert.equal(parseOverrides('a=1'), undefined)
    assert.equal(parseOverrides('A="1"'), undefined)
  })
})
