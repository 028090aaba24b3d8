import { z } from 'zod'
import { defineBindingKind } from '../kind.js'

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
  publicView: ({ key_base64: _base64, key_jwk: _jwk, ...rest }) => rest,
})
