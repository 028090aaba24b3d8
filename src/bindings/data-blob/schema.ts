import { z } from 'zod'
import { defineBindingKind } from '../kind.js'
import { moduleToHost } from '../wasm-module/host.js'

/** A binary part of the same upload, as an ArrayBuffer global (service-worker syntax). */
export const DataBlobBinding = z.object({
  type: z.literal('data_blob'),
  name: z.string(),
  part: z.string().min(1),
})

export const dataBlob = defineBindingKind({
  schema: DataBlobBinding,
  async check(b, ctx) {
    if (ctx.parts.has(b.part)) return undefined
    return `binding '${b.name}' of type data_blob names part '${b.part}', which is not in the upload`
  },
  toHost: moduleToHost('data'),
})
