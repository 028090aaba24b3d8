import { z } from 'zod'
import { defineBindingKind } from '../kind.js'
import { moduleToHost } from './host.js'

/** A WebAssembly module uploaded as a part of the same request (service-worker syntax). */
export const WasmModuleBinding = z.object({
  type: z.literal('wasm_module'),
  name: z.string(),
  part: z.string().min(1),
})

export const wasmModule = defineBindingKind({
  schema: WasmModuleBinding,
  async check(b, ctx) {
    if (ctx.parts.has(b.part)) return undefined
    return `binding '${b.name}' of type wasm_module names part '${b.part}', which is not in the upload`
  },
  toHost: moduleToHost('wasm'),
})
