// How the host calls a loaded Worker's tail() handler. workerd's Fetcher has no tail() of its own,
// and an RPC call to `tail` on the default export only works when the Worker's compatibility date
// enables RPC and its default export is a plain object or a WorkerEntrypoint. So every module
// Worker also exports a small WorkerEntrypoint of ours whose tail() hands the events to the
// customer's handler, whatever its date: `handler.tail(events, env, ctx)` for an object,
// `new Class(ctx, env).tail(events)` for a class.
import { TAIL_ENTRYPOINT } from '../../shared/protocol.js'
import { OWN } from './main-module.worker.js'

/** The module's path among the loaded Worker's modules. */
export const TAIL_SHIM_PATH = `${OWN}tail.js`

/**
 * Appended to the Worker's main module. The shim imports that main module back for its default
 * export (after any env wrapping the main module does); the cycle is safe because the default
 * export is only read when tail() runs.
 */
export const tailShimExport = `export { ${TAIL_ENTRYPOINT} } from "./tail.js"\n`

export const tailShimModule = `import { WorkerEntrypoint } from "cloudflare:workers"
import handlers from "./main.js"
export class ${TAIL_ENTRYPOINT} extends WorkerEntrypoint {
  async tail(events) {
    try {
      await this.#handle(events)
    } catch (err) {
      // An exception thrown back to an RPC caller is not the Worker's own: as a failed waitUntil()
      // task it is recorded in the Worker's trace, as its tail() handler's exception is on Cloudflare.
      this.ctx.waitUntil(Promise.reject(err))
      throw err
    }
  }
  async #handle(events) {
    if (typeof handlers === "function") {
      const instance = new handlers(this.ctx, this.env)
      if (typeof instance.tail === "function") return void (await instance.tail(events))
    } else if (handlers && typeof handlers.tail === "function") {
      return void (await handlers.tail(events, this.env, this.ctx))
    }
    throw new Error("Handler does not export a tail() function.")
  }
}
`
