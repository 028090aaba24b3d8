import { z } from 'zod'
import { defineBindingKind } from '../kind.js'
import { textToHost } from '../plain-text/host.js'

/** A write-only string: stored with the version, never shown by the API. */
export const SecretTextBinding = z.object({
  type: z.literal('secret_text'),
  name: z.string(),
  text: z.string(),
})

export const secretText = defineBindingKind({
  schema: SecretTextBinding,
  publicView: ({ name, type }) => ({ name, type }),
  toHost: textToHost,
})
