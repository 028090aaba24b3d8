import type { ClusterClient, ClusterHandler } from '../runtime/placement/cluster.js'
import type { PageReplica } from '../runtime/placement/pages.js'
import type { Placement } from '../runtime/placement/placement.js'
import type { EngineReply, EngineRequest } from './engine/protocol.js'

/**
 * D1 on several nodes: each database has one owner (a placement lease `d1:<id>`); the others
 * forward their calls to it over the cluster channel, and the owner replicates each write's pages
 * to the shared store before it answers (src/runtime/placement/).
 */
export interface D1Cluster {
  placement: Placement
  replica: PageReplica
  client: ClusterClient
}

type WithoutFile<T> = T extends unknown ? Omit<T, 'file'> : never

/** A call on a database as it crosses between nodes: an engine request without the local path, or dropping it. */
export type D1Call = WithoutFile<EngineRequest> | { op: 'drop' }

export const resourceOf = (databaseId: string): string => `d1:${databaseId}`

/** The path of a database's calls under the cluster prefix. */
export const d1ClusterPath = (databaseId: string): string => `/d1/${encodeURIComponent(databaseId)}`

/** The answer of a node that no longer owns the database: the caller asks the store again. */
export const NOT_OWNER_STATUS = 409

// BLOBs are the only non-JSON values of a call or a reply (bound parameters, row values).
const BYTES = '$bytes'
export const encodeWire = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) => (v instanceof Uint8Array ? { [BYTES]: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') } : v))
export const decodeWire = <T>(text: string): T =>
  JSON.parse(text, (_key, v: unknown) =>
    typeof v === 'object' && v !== null && !Array.isArray(v) && typeof (v as Record<string, unknown>)[BYTES] === 'string' && Object.keys(v).length === 1
      ? new Uint8Array(Buffer.from((v as Record<string, string>)[BYTES]!, 'base64'))
      : v,
  ) as T

/** What the owner's side needs of the service: run a call if this node owns the database. */
export interface D1Owner {
  /** The reply, or undefined when this node does not own the database (any more). */
  runAsOwner(databaseId: string, call: D1Call): Promise<EngineReply | undefined>
}

/** The cluster route `/d1/<database id>`: a forwarded call, run here if this node owns the database. */
export function d1ClusterHandler(owner: D1Owner): ClusterHandler {
  return async (rest, body) => {
    const databaseId = decodeURIComponent(rest.replace(/^\//, ''))
    const reply = await owner.runAsOwner(databaseId, decodeWire<D1Call>(new TextDecoder().decode(body)))
    if (!reply) return new Response('not the owner', { status: NOT_OWNER_STATUS })
    return new Response(encodeWire(reply), { headers: { 'content-type': 'application/json' } })
  }
}
