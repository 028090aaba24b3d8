import { z } from 'zod'
import { defineBindingKind } from '../kind.js'
import { jsonToHost } from './host.js'

/** A JSON value: `env.NAME` is the parsed value. */
export const JsonBinding = z.object({
  type: z.literal('json'),
  name: z.string(),
  json: z.unknown().refine((v) => v !== undefined, 'required'),
})

export const json = defineBindingKind({ schema: JsonBinding, toHost: jsonToHost })
