// The workerd half of a binding kind: how a HostBinding (made by the kind's Node half, see
// kind.ts `toHost`) becomes what a loaded Worker sees. The loader and the bindings module read the
// kinds from registry.worker.ts and know no kind by name.
import type { HostBinding, ScriptDescriptor } from '../shared/protocol.js'
import type { BindingCaller } from '../host/containment/binding-calls.worker.js'

/**
 * A function exported by one of the kind's isolate modules (`<kind>/isolate/<module>.ts`: real
 * TypeScript, shipped as text into the customer's isolate as `__workerhive/<module>.js`).
 */
export interface IsolateCode {
  /** The module's file name, `<module>.js`. */
  module: string
  /** The function it exports. */
  name: string
}

export interface WorkerBindingKind<B extends HostBinding = HostBinding> {
  /** The HostBinding type this half consumes. */
  readonly type: B['type']
  /**
   * The value the loader puts into env (raw: the bindings module may wrap it); undefined: none.
   * `caller` is the loading script's usage key and isolate, for the binding's props.
   */
  envValue?(binding: B, script: ScriptDescriptor, ctx: ExecutionContext<unknown>, caller: BindingCaller): unknown
  /** Wraps the raw env value in the isolate: `<name>(raw)` returns what customer code sees. */
  wrapper?: IsolateCode
  /** A second argument for the wrapper, known when the Worker is loaded: `<name>(raw, wrapperSpec(binding))`. */
  wrapperSpec?(binding: B): unknown
  /**
   * Builds the value in the isolate before customer code runs (values that cannot travel in the
   * loader's env): `await <name>(spec(binding))`.
   */
  builder?: IsolateCode & { spec(binding: B): unknown }
  /** Service-worker scripts: a module part that becomes the global of the binding's name. */
  partGlobal?(binding: B): string
}

export const defineWorkerBindingKind = <B extends HostBinding>(kind: WorkerBindingKind<B>): WorkerBindingKind<B> => kind
