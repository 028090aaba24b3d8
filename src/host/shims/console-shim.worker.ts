// The console shim of a loaded Worker is a real module (isolate/console.ts, shipped as text by Node,
// see isolate-modules.worker.ts); this builds the per-script config module it imports.
import { tenantLogTag, type ScriptDescriptor } from '../../shared/protocol.js'
import type { ConsoleConfig } from './isolate/console-config.js'

/** JS source of `__workerhive/console-config.js` for one script. */
export function consoleConfigModule(d: Pick<ScriptDescriptor, 'accountId' | 'namespaceId' | 'name'>): string {
  const config: ConsoleConfig = { tag: tenantLogTag(d.accountId, d.namespaceId, d.name) }
  return `export const config = ${JSON.stringify(config)}\n`
}
