import { defineWorkerBindingKind } from '../worker-kind.worker.js'
import type { CryptoKeyHostBinding } from './wire.js'

// A CryptoKey cannot travel in the loader's env: the bindings module imports it in the isolate, as
// a non-extractable key (as on Cloudflare: the Worker can use it, never read it).
const importSecretKey = `function secretKeyBase64Bytes(b64) {
  const bin = atob(b64)
  const out = new Uint8Array(bin.length)
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i)
  return out
}
function importSecretKey(k) {
  return crypto.subtle.importKey(k.format, k.format === "jwk" ? k.jwk : secretKeyBase64Bytes(k.base64), k.algorithm, false, k.usages)
}
`

export const secretKeyKind = defineWorkerBindingKind<CryptoKeyHostBinding>({
  type: 'cryptoKey',
  builder: {
    name: 'importSecretKey',
    source: importSecretKey,
    spec: (b) => ({
      format: b.format,
      algorithm: b.algorithm,
      usages: b.usages,
      ...(b.format === 'jwk' ? { jwk: b.keyJwk } : { base64: b.keyBase64 ?? '' }),
    }),
  },
})
