import assert from 'node:assert/strict'
import { webcrypto } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import { accountScriptPath, defaultHost, edge, putScript } from '../helpers/edge.js'
import { jsonBody, startTestPlatform, type TestPlatform } from '../helpers/platform.js'

// secret_key bindings as on Cloudflare: the Worker gets a non-extractable CryptoKey, and the key
// material is write-only in the API. What the Worker signs or encrypts is checked with Node's
// own WebCrypto.
const { subtle } = webcrypto
const b64 = (buf: ArrayBuffer | Uint8Array): string => Buffer.from(buf instanceof Uint8Array ? buf : new Uint8Array(buf)).toString('base64')
const MESSAGE = 'the message a Worker signs'
const IV = new Uint8Array(12).fill(7)

const WORKER = `export default {
  async fetch(request, env) {
    const b64 = (buf) => btoa(String.fromCharCode(...new Uint8Array(buf)))
    const data = new TextEncoder().encode(${JSON.stringify(MESSAGE)})
    const iv = new Uint8Array(12).fill(7)
    const describe = (k) => ({ isCryptoKey: k instanceof CryptoKey, type: k.type, extractable: k.extractable, algorithm: k.algorithm.name, usages: [...k.usages].sort() })
    let exported
    try { await crypto.subtle.exportKey('raw', env.HMAC); exported = 'exported!' } catch (e) { exported = e.name }
    return Response.json({
      keys: { HMAC: describe(env.HMAC), ECDSA: describe(env.ECDSA), RSA: describe(env.RSA), AES: describe(env.AES) },
      exported,
      hmac: b64(await crypto.subtle.sign('HMAC', env.HMAC, data)),
      ecdsa: b64(await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, env.ECDSA, data)),
      rsa: b64(await crypto.subtle.encrypt({ name: 'RSA-OAEP' }, env.RSA, data)),
      aes: b64(await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, env.AES, data)),
    })
  },
}`

describe('secret_key bindings', () => {
  let t: TestPlatform
  let hmacRaw: Uint8Array
  let ecdsa: webcrypto.CryptoKeyPair
  let rsa: webcrypto.CryptoKeyPair
  let aes: webcrypto.CryptoKey
  let bindings: Array<Record<string, unknown>>

  before(async () => {
    t = await startTestPlatform()
    hmacRaw = webcrypto.getRandomValues(new Uint8Array(32))
    ecdsa = (await subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair
    rsa = (await subtle.generateKey(
      { name: 'RSA-OAEP', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
      true,
      ['encrypt', 'decrypt'],
    )) as webcrypto.CryptoKeyPair
    aes = (await subtle.generateKey({ name: 'AES-GCM', length: 256 }, true, ['encrypt', 'decrypt'])) as webcrypto.CryptoKey
    bindings = [
      { type: 'secret_key', name: 'HMAC', format: 'raw', algorithm: { name: 'HMAC', hash: 'SHA-256' }, usages: ['sign', 'verify'], key_base64: b64(hmacRaw) },
      { type: 'secret_key', name: 'ECDSA', format: 'pkcs8', algorithm: { name: 'ECDSA', namedCurve: 'P-256' }, usages: ['sign'], key_base64: b64(await subtle.exportKey('pkcs8', ecdsa.privateKey)) },
      { type: 'secret_key', name: 'RSA', format: 'spki', algorithm: { name: 'RSA-OAEP', hash: 'SHA-256' }, usages: ['encrypt'], key_base64: b64(await subtle.exportKey('spki', rsa.publicKey)) },
      { type: 'secret_key', name: 'AES', format: 'jwk', algorithm: { name: 'AES-GCM' }, usages: ['encrypt', 'decrypt'], key_jwk: await subtle.exportKey('jwk', aes) },
    ]
    const up = await putScript(t, accountScriptPath(t, 'signer'), WORKER, { bindings })
    assert.equal(up.status, 200, JSON.stringify(up.body))
  })
  after(() => t.close())

  it('is a non-extractable CryptoKey whose results check out in Node', async () => {
    const res = await edge(t, await defaultHost(t, 'signer'), '/')
    assert.equal(res.status, 200, res.text)
    const out = JSON.parse(res.text)
    assert.deepEqual(out.keys, {
      HMAC: { isCryptoKey: true, type: 'secret', extractable: false, algorithm: 'HMAC', usages: ['sign', 'verify'] },
      ECDSA: { isCryptoKey: true, type: 'private', extractable: false, algorithm: 'ECDSA', usages: ['sign'] },
      RSA: { isCryptoKey: true, type: 'public', extractable: false, algorithm: 'RSA-OAEP', usages: ['encrypt'] },
      AES: { isCryptoKey: true, type: 'secret', extractable: false, algorithm: 'AES-GCM', usages: ['decrypt', 'encrypt'] },
    })
    assert.equal(out.exported, 'InvalidAccessError')
    const data = new TextEncoder().encode(MESSAGE)
    const hmacKey = await subtle.importKey('raw', hmacRaw, { name: 'HMAC', hash: 'SHA-256' }, false, ['verify'])
    assert.equal(await subtle.verify('HMAC', hmacKey, Buffer.from(out.hmac, 'base64'), data), true)
    assert.equal(await subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, ecdsa.publicKey, Buffer.from(out.ecdsa, 'base64'), data), true)
    const decrypted = await subtle.decrypt({ name: 'RSA-OAEP' }, rsa.privateKey, Buffer.from(out.rsa, 'base64'))
    assert.equal(Buffer.from(decrypted).toString(), MESSAGE)
    const opened = await subtle.decrypt({ name: 'AES-GCM', iv: IV }, aes, Buffer.from(out.aes, 'base64'))
    assert.equal(Buffer.from(opened).toString(), MESSAGE)
  })

  it('never shows the key material in the API', async () => {
    const base = `/accounts/${t.accountId}/workers/scripts/signer`
    for (const path of [`${base}/settings`, `${base}/versions`]) {
      const res = await t.api(path)
      assert.equal(res.status, 200, path)
      const text = await res.text()
      assert.doesNotMatch(text, /key_base64|key_jwk/, path)
      assert.equal(text.includes(b64(hmacRaw)), false, path)
    }
    const settings = await t.json(`${base}/settings`)
    const hmac = settings.body.result.bindings.find((b: { name: string }) => b.name === 'HMAC')
    assert.deepEqual(hmac, { type: 'secret_key', name: 'HMAC', format: 'raw', algorithm: { name: 'HMAC', hash: 'SHA-256' }, usages: ['sign', 'verify'] })
  })

  it('refuses a key that cannot be imported, and keeps the deployed version', async () => {
    const bad = await putScript(t, accountScriptPath(t, 'signer'), WORKER, {
      bindings: [{ type: 'secret_key', name: 'HMAC', format: 'pkcs8', algorithm: { name: 'ECDSA', namedCurve: 'P-256' }, usages: ['sign'], key_base64: b64(new Uint8Array([1, 2, 3])) }],
    })
    assert.equal(bad.status, 400, JSON.stringify(bad.body))
    assert.equal(bad.body.errors[0].code, 10021)
    assert.match(bad.body.errors[0].message, /secret_key/)
    const res = await edge(t, await defaultHost(t, 'signer'), '/')
    assert.equal(JSON.parse(res.text).keys.HMAC.algorithm, 'HMAC')
  })

  it('takes a new key through the secrets API, and refuses one that cannot be imported there too', async () => {
    const secrets = `/accounts/${t.accountId}/workers/scripts/signer/secrets`
    const rotated = webcrypto.getRandomValues(new Uint8Array(32))
    const hmac = { type: 'secret_key', name: 'HMAC', format: 'raw', algorithm: { name: 'HMAC', hash: 'SHA-256' }, usages: ['sign', 'verify'] }
    const put = await t.json(secrets, { method: 'PUT', ...jsonBody({ ...hmac, key_base64: b64(rotated) }) })
    assert.equal(put.status, 200, JSON.stringify(put.body))
    assert.equal(JSON.stringify(put.body).includes(b64(rotated)), false)
    const out = JSON.parse((await edge(t, await defaultHost(t, 'signer'), '/')).text)
    const key = await subtle.importKey('raw', rotated, { name: 'HMAC', hash: 'SHA-256' }, false, ['verify'])
    assert.equal(await subtle.verify('HMAC', key, Buffer.from(out.hmac, 'base64'), new TextEncoder().encode(MESSAGE)), true)

    const bad = await t.json(secrets, { method: 'PUT', ...jsonBody({ ...hmac, format: 'jwk', key_jwk: { kty: 'nonsense' } }) })
    assert.equal(bad.status, 400, JSON.stringify(bad.body))
    assert.equal(bad.body.errors[0].code, 10021)
    assert.equal((await edge(t, await defaultHost(t, 'signer'), '/')).status, 200)
  })
})
