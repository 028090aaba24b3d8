import { webcrypto } from 'node:crypto'
import { z } from 'zod'
import { defineBindingKind } from '../kind.js'
import { secretKeyToHost } from './host.js'

/** A WebCrypto key (`crypto.subtle.importKey` arguments); its key material is write-only like a secret. */
export const SecretKeyBinding = z.object({
  type: z.literal('secret_key'),
  name: z.string(),
  algorithm: z.record(z.string(), z.unknown()),
  format: z.enum(['raw', 'pkcs8', 'spki', 'jwk']),
  usages: z.array(z.string()),
  key_base64: z.string().optional(),
  key_jwk: z.record(z.string(), z.unknown()).optional(),
})

export const secretKey = defineBindingKind({
  schema: SecretKeyBinding,
  // The Worker gets the key as a CryptoKey imported when its isolate starts; a key that cannot be
  // imported is refused here, so it never becomes a Worker that cannot start.
  async check(b) {
    const jwk = b.format === 'jwk'
    if (jwk ? !b.key_jwk : b.key_base64 === undefined)
      return `binding '${b.name}' of type secret_key needs ${jwk ? 'key_jwk' : 'key_base64'} for format ${b.format}`
    try {
      const algorithm = b.algorithm as unknown as webcrypto.AlgorithmIdentifier
      const usages = b.usages as webcrypto.KeyUsage[]
      if (jwk) await webcrypto.subtle.importKey('jwk', b.key_jwk as webcrypto.JsonWebKey, algorithm, false, usages)
      else await webcrypto.subtle.importKey(b.format as 'raw', Buffer.from(b.key_base64!, 'base64'), algorithm, false, usages)
      return undefined
    } catch (e) {
      return `binding '${b.name}' of type secret_key: the key cannot be imported: ${e instanceof Error ? e.message : String(e)}`
    }
  },
  // `sealed` is the key material as stored (src/secrets/): ciphertext, but still never shown.
  publicView: ({ key_base64: _base64, key_jwk: _jwk, sealed: _sealed, ...rest }) => rest,
  toHost: secretKeyToHost,
})
