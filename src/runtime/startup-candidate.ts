import type { AccountId, NamespaceId } from '../domain/ids.js'
import type { StartupCheckResult } from '../shared/protocol.js'
import type { ModuleContent, NewVersion } from '../storage/store.js'

/** A version about to be stored, with its code in hand. */
export interface StartupCandidate {
  accountId: AccountId
  namespaceId: NamespaceId | null
  name: string
  version: Omit<NewVersion, 'modules'> & { modules: ModuleContent[] }
}

/** The check's result, or the limit the check broke (its process was killed, or it never answered). */
export type StartupOutcome = StartupCheckResult | { ok: false; limit: 'cpu' }

/** Runs a candidate's top-level code in workerd (src/runtime/startup-check.ts); absent without an edge. */
export interface StartupRunner {
  run(candidate: StartupCandidate): Promise<StartupOutcome>
}
