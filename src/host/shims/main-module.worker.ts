// The generated main module of a modules-format Worker, and the reserved prefix of our modules.
import { CPU_REPORT_ENTRYPOINT } from '../../shared/usage.js'

/** Our modules inside a customer's Worker live under this prefix, so they never collide. */
export const OWN = '__workerhive/'

/** The class the host loads a customer's Durable Object through (see shims/isolate/durable-object.ts). */
export const OBJECT_CLASS_EXPORT = '__WorkerhiveObject'

/**
 * Main module of a modules-format Worker: evaluates the console and caches modules (and the bindings module)
 * before the customer's code and re-exports everything. With bindings to wrap, an object default
 * export's handlers get the wrapped env; entrypoint classes get it from the bindings module itself.
 * A module without a default export gets an empty handler object (workerd refuses `undefined`).
 */
export function wrappedMain(customerMain: string, wrapBindings: boolean): string {
  const main = JSON.stringify('../' + customerMain)
  // The CPU meter first: every customer module calls it (see cpu-meter.worker.ts).
  const head = `import { meteredEntry } from "./cpu-meter.js"
export { CpuReport as ${CPU_REPORT_ENTRYPOINT} } from "./cpu-meter.js"
import "./console.js"
import "./caches.js"
${wrapBindings ? 'import { wrapEnv } from "./bindings.js"\n' : ''}import * as app from ${main}
export * from ${main}
import { DurableObject as __WorkerhiveDurableObject } from "cloudflare:workers"
import { objectClassOf } from "./durable-object.js"
export const __WorkerhiveObject = objectClassOf(app, __WorkerhiveDurableObject${wrapBindings ? ', wrapEnv' : ''})
`
  if (!wrapBindings) return `${head}export default meteredEntry(app.default, app.default) ?? {}\n`
  return `${head}const handlers = app.default
let entry = handlers ?? {}
if (handlers && typeof handlers === 'object') {
  entry = {}
  for (const [name, handler] of Object.entries(handlers)) {
    entry[name] = typeof handler === 'function' ? (event, env, ctx) => handler.call(handlers, event, wrapEnv(env), ctx) : handler
  }
}
export default meteredEntry(entry, entry)
`
}
