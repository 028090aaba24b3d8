import type { HostEnv } from '../env.worker.js'

/**
 * The compiled text of an isolate module (shims/isolate/, a binding kind's isolate/: modules
 * evaluated in a customer's isolate, checked by tsc like any other). A loaded Worker cannot import host modules, so Node hands their text to the
 * host in its SHIMS binding (runtime/workerd-config.ts) and the loader ships it as module source.
 */
export function isolateModule(env: HostEnv, file: string): string {
  const text = env.SHIMS[file]
  if (text === undefined) throw new Error(`isolate module ${file} is missing from the host's SHIMS binding`)
  return text
}
