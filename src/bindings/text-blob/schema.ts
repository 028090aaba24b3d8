import { z } from 'zod'
import { defineBindingKind } from '../kind.js'
import { moduleToHost } from '../wasm-module/host.js'

/** A text part of the same upload, as a string global (service-worker syntax). */
export const TextBlobBinding = z.object({
  type: z.literal('text_blob'),
  name: z.string(),
  part: z.string().min(1),
})

export const textBlob = defineBindingKind({
  schema: TextBlobBinding,
  async check(b, ctx) {
    if (ctx.parts.has(b.part)) return undefined
    return `binding '${b.name}' of type text_blob names part '${b.part}', which is not in the upload`
  },
  toHost: moduleToHost('text'),
})
