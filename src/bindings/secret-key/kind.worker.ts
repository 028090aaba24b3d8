import { defineWorkerBindingKind } from '../worker-kind.worker.js'
import type { CryptoKeyHostBinding } from './wire.js'

import type { SecretKeySpec } from './isolate/secret-key.js'

// A CryptoKey cannot travel in the loader's env: the bindings module imports it in the isolate.
export const secretKeyKind = defineWorkerBindingKind<CryptoKeyHostBinding>({
  type: 'cryptoKey',
  builder: {
    module: 'secret-key.js',
    name: 'importSecretKey',
    spec: (b): SecretKeySpec => ({
      format: b.format,
      algorithm: b.algorithm,
      usages: b.usages,
      ...(b.format === 'jwk' ? { jwk: b.keyJwk } : { base64: b.keyBase64 ?? '' }),
    }),
  },
})
