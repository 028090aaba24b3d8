import type { StoredBinding } from '../../storage/store.js'
import { field, isRecord } from '../stored.js'
import type { CryptoKeyHostBinding } from './wire.js'

export const secretKeyToHost = (b: StoredBinding): CryptoKeyHostBinding => ({
  type: 'cryptoKey',
  name: b.name,
  format: field(b, 'format') as CryptoKeyHostBinding['format'],
  algorithm: isRecord(b.algorithm) ? b.algorithm : {},
  usages: Array.isArray(b.usages) ? b.usages.map(String) : [],
  ...(isRecord(b.key_jwk) ? { keyJwk: b.key_jwk } : { keyBase64: field(b, 'key_base64') }),
})
