import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { openBinding, resealBindings, sealBinding } from '../../src/secrets/secret-bindings.js'
import { newSecretsKey, open, parseSecretsKey, seal, UnknownSecretsKeyError } from '../../src/secrets/sealer.js'

describe('secret sealing', () => {
  const a = { current: newSecretsKey(), previous: [] }
  const b = { current: newSecretsKey(), previous: [a.current] }

  it('seals with a fresh IV each time and opens only with the key named in the value', () => {
    const one = seal(a.current, 'hello')
    assert.notEqual(one, seal(a.current, 'hello'))
    assert.equal(open(a, one), 'hello')
    assert.equal(open(b, one), 'hello', 'an older key of the keyring opens it')
    assert.throws(() => open({ current: newSecretsKey(), previous: [] }, one), UnknownSecretsKeyError)
    const tampered = one.slice(0, -4) + (one.endsWith('AAA=') ? 'BBB=' : 'AAA=')
    assert.throws(() => open(a, tampered))
  })

  it('seals the secret fields of secret_text and secret_key only, and opens them back', () => {
    const text = { type: 'secret_text', name: 'T', text: 's' }
    const key = { type: 'secret_key', name: 'K', format: 'raw', algorithm: { name: 'HMAC' }, usages: ['sign'], key_base64: 'AAAA' }
    const plain = { type: 'plain_text', name: 'P', text: 'p' }
    const sealed = [text, key, plain].map((x) => sealBinding(a, x))
    assert.deepEqual(Object.keys(sealed[0]!).sort(), ['name', 'sealed', 'type'])
    assert.equal(sealed[1]!.key_base64, undefined)
    assert.deepEqual(sealed[1]!.usages, ['sign'])
    assert.equal(sealed[2], plain)
    assert.deepEqual(sealed.map((x) => openBinding(a, x)), [text, key, plain])
  })

  it('reseals plaintext and older-key values, and leaves current ones alone', () => {
    const current = [sealBinding(a, { type: 'secret_text', name: 'T', text: 's' })]
    assert.equal(resealBindings(a, current), undefined)
    const moved = resealBindings(b, current)!
    assert.match(String(moved[0]!.sealed), new RegExp(`^wh1:${b.current.id}:`))
    assert.deepEqual(openBinding(b, moved[0]!), { type: 'secret_text', name: 'T', text: 's' })
    assert.match(String(resealBindings(a, [{ type: 'secret_text', name: 'T', text: 's' }])![0]!.sealed), /^wh1:/)
  })

  it('reads keys as 64 hex characters or base64 of 32 bytes', () => {
    assert.equal(parseSecretsKey('ab'.repeat(32))!.bytes.length, 32)
    assert.equal(parseSecretsKey(Buffer.alloc(32, 7).toString('base64'))!.bytes.length, 32)
    assert.equal(parseSecretsKey('short'), undefined)
  })
})
