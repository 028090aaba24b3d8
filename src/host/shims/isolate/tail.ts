// How the host calls a loaded Worker's tail() handler (module `__workerhive/tail.js`). workerd's
// Fetcher has no tail() of its own, and an RPC call to `tail` on the default export only works when
// the Worker's compatibility date enables RPC and its default export is a plain object or a
// WorkerEntrypoint. So every module Worker also exports this small WorkerEntrypoint, whose tail()
// hands the events to the customer's handler, whatever its date: `handler.tail(events, env, ctx)`
// for an object, `new Class(ctx, env).tail(events)` for a class. The class name is TAIL_ENTRYPOINT
// (protocol.ts). It imports the main module back for its default export; the cycle is safe because
// the default export is only read when tail() runs.
import { WorkerEntrypoint } from 'cloudflare:workers'
import handlers from './main.js'

type TailHandler = { tail?: (events: TraceItem[], env?: unknown, ctx?: unknown) => unknown }

export class __workerhive_tail extends WorkerEntrypoint {
  override async tail(events: TraceItem[]): Promise<void> {
    try {
      await this.#handle(events)
    } catch (err) {
      // An exception thrown back to an RPC caller is not the Worker's own: as a failed waitUntil()
      // task it is recorded in the Worker's trace, as its tail() handler's exception is on Cloudflare.
      this.ctx.waitUntil(Promise.reject(err))
      throw err
    }
  }

  async #handle(events: TraceItem[]): Promise<void> {
    if (typeof handlers === 'function') {
      const instance = new (handlers as new (ctx: unknown, env: unknown) => TailHandler)(this.ctx, this.env)
      if (typeof instance.tail === 'function') return void (await instance.tail(events))
    } else if (handlers && typeof (handlers as TailHandler).tail === 'function') {
      return void (await (handlers as TailHandler).tail!(events, this.env, this.ctx))
    }
    throw new Error('Handler does not export a tail() function.')
  }
}
