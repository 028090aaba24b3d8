// Placeholder of a generated module: the loader replaces `__workerhive/console-config.js` with this
// script's tag (console-shim.worker.ts), so console.ts is checked against the shape it will get.
export interface ConsoleConfig {
  /** tenantLogTag() of the script (protocol.ts). */
  tag: string
}

export const config: ConsoleConfig = { tag: '' }
