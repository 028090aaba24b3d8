// The console of a loaded Worker (module `__workerhive/console.js`, evaluated before the customer's
// code). workerd prints a Worker's console output on its stdout and stderr with nothing saying whose
// it is; this prefixes each call with the script's tag, so Node logs it under the tenant's name (the
// Tail entrypoint drops the tag from trace events). Runs in the customer's isolate: it imports only
// its generated config.
import { config } from './console-config.js'

const LEVELS = ['debug', 'info', 'log', 'warn', 'error'] as const

for (const level of LEVELS) {
  const original = console[level]
  if (typeof original !== 'function') continue
  console[level] = (...args: unknown[]) => original.call(console, config.tag, ...args)
}
