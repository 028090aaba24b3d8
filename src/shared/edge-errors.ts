// The errors the edge itself answers end users with, and the ray id that names each request.
// Imported by the host (which renders them) and by Node (docs test, logs API), so no `node:`
// imports. docs/limits.md lists them; test/unit/edge-errors-doc.test.ts keeps the two in sync.

export interface EdgeError {
  /** Cloudflare's 1xxx number. */
  code: number
  status: number
  title: string
  /** "What happened?" for the end user: never anything of the tenant's code. */
  happened: string
  /** "What can I do?" */
  todo: string
  /** Whether the same request may succeed later (the JSON variant's `retryable`). */
  retryable: boolean
}

/** Cloudflare's codes and statuses (developers.cloudflare.com/workers/observability/errors/). */
export const EDGE_ERRORS = {
  workerThrew: {
    code: 1101,
    status: 500,
    title: 'Worker threw exception',
    happened: 'The Worker that serves this address threw a JavaScript exception instead of answering.',
    todo: "Try again later. If you own this site, look up this Ray ID in the Worker's logs.",
    retryable: false,
  },
  resourceLimits: {
    code: 1102,
    status: 503,
    title: 'Worker exceeded resource limits',
    happened: 'The Worker that serves this address ran past a limit of the platform before it answered.',
    todo: "Try again later. If you own this site, look up this Ray ID in the Worker's logs.",
    retryable: true,
  },
  // Cloudflare's loop limit: a chain of Workers calling back into the edge ran out of invocations
  // (the `cf-ew-via` count, 16 per request from outside).
  loopLimit: {
    code: 1019,
    status: 500,
    title: 'Worker hit loop limit',
    happened: 'Workers called back into this edge more than 16 times for one request, so the chain was stopped.',
    todo: "If you own this site, check that the Worker does not fetch its own address (or another Worker's that calls it back).",
    retryable: false,
  },
  // Cloudflare answers 1001 (with status 530) for a hostname it serves nothing at. Workerhive keeps
  // 404: there is no origin behind the edge, so "nothing here" is the whole truth.
  noWorker: {
    code: 1001,
    status: 404,
    title: 'No Worker serves this hostname',
    happened: 'No route and no default hostname on this edge leads to a Worker for this address.',
    todo: "Check the address. If you own this site, add a route for it or enable the Worker's default hostname.",
    retryable: false,
  },
} as const satisfies Record<string, EdgeError>

export type EdgeErrorName = keyof typeof EDGE_ERRORS

/** Request and response header that carries the ray: `<16 hex digits>-<colo>`, as on Cloudflare. */
export const HEADER_RAY = 'cf-ray'

/** The id part of a ray header (`8f1a2b3c4d5e6f70-LOC` → `8f1a2b3c4d5e6f70`); what pages show. */
export function rayIdOf(value: string): string {
  const dash = value.indexOf('-')
  return (dash === -1 ? value : value.slice(0, dash)).toLowerCase()
}
