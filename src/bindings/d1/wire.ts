// The D1 binding's wire, compiled in both worlds. Inside a loaded Worker, the D1Database
// (isolate/d1-database.ts) calls its raw binding's fetch() at D1_ORIGIN + `query` or `execute`
// with `?resultsFormat=`; the host's D1Binding entrypoint (d1.worker.ts) forwards the call to Node's
// D1 handlers (internal.ts) under the binding's own database. The body is D1's: one `{sql, params}`
// or an array of them; the answer one `{success, meta, results}` or `{error}`, or an array of them.
import { defineRoute } from '../../shared/wire.js'
import type { HostBinding } from '../../shared/protocol.js'

export const D1_ORIGIN = 'http://d1.workerhive.invalid/'

export const D1_WIRE = {
  query: defineRoute('POST', '/internal/d1/:account/:db/query', ['resultsFormat']),
  execute: defineRoute('POST', '/internal/d1/:account/:db/execute', ['resultsFormat']),
} as const

/**
 * What a call used, on Node's answer, for the caller's usage records: `<statements>,<rows read>,<rows
 * written>` (the sums of D1's `meta`). The customer's D1Database ignores it.
 */
export const D1_USAGE_HEADER = 'x-workerhive-d1-usage'

/** The session bookmark (or constraint) a call carries, and the one its answer carries back. */
export const D1_BOOKMARK_HEADER = 'x-cf-d1-session-commit-token'

/** A D1 binding as the host builds it into env. */
export interface D1HostBinding extends HostBinding {
  type: 'd1'
  databaseId: string
}
