import type { HostBinding } from '../../shared/protocol.js'

export interface CryptoKeyHostBinding extends HostBinding {
  type: 'cryptoKey'
  format: 'raw' | 'pkcs8' | 'spki' | 'jwk'
  algorithm: Record<string, unknown>
  usages: string[]
  /** Key material: base64 for raw/pkcs8/spki, a JWK for jwk. Travels only to workerd. */
  keyBase64?: string
  keyJwk?: Record<string, unknown>
}
