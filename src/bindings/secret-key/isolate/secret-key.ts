// Secret keys as customer code sees them (module `__workerhive/secret-key.js`, imported by the
// bindings module): a CryptoKey cannot travel in the loader's env, so the key is imported in the
// isolate, non-extractable (as on Cloudflare: the Worker can use it, never read it).
// Runs in the customer's isolate: it imports nothing.

export interface SecretKeySpec {
  format: 'raw' | 'pkcs8' | 'spki' | 'jwk'
  algorithm: Record<string, unknown>
  usages: string[]
  base64?: string
  jwk?: Record<string, unknown>
}

function base64Bytes(b64: string): Uint8Array {
  const bin = atob(b64)
  const out = new Uint8Array(bin.length)
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i)
  return out
}

export function importSecretKey(k: SecretKeySpec): Promise<CryptoKey> {
  const algorithm = k.algorithm as unknown as SubtleCryptoImportKeyAlgorithm
  if (k.format === 'jwk') return crypto.subtle.importKey('jwk', k.jwk as unknown as JsonWebKey, algorithm, false, k.usages)
  return crypto.subtle.importKey(k.format, base64Bytes(k.base64 ?? ''), algorithm, false, k.usages)
}
