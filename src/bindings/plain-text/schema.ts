import { z } from 'zod'
import { defineBindingKind } from '../kind.js'
import { textToHost } from './host.js'

/** An environment variable: `env.NAME` is the string. */
export const PlainTextBinding = z.object({
  type: z.literal('plain_text'),
  name: z.string(),
  text: z.string(),
})

export const plainText = defineBindingKind({ schema: PlainTextBinding, toHost: textToHost })
