import type { HostBinding } from '../../shared/protocol.js'
import { defineRoute } from '../../shared/wire.js'

export interface DurableObjectHostBinding extends HostBinding {
  type: 'durable_object_namespace'
  namespaceId: string
}

/** Where a Durable Object namespace lives now: the script and class that implement it. */
export interface DurableObjectNamespaceInfo {
  found: boolean
  accountId?: string
  /** The dispatch namespace id of the script ('' for account scripts). */
  namespaceId?: string
  script?: string
  className?: string
}

export const DO_WIRE = {
  namespace: defineRoute('GET', '/internal/durable-objects/namespaces/:id'),
  /** Several nodes: POST a PlaceRequest → ObjectPlace, before a call. */
  place: defineRoute('POST', '/internal/durable-objects/place'),
  /**
   * Several nodes: POST a Replication (an ObjectRef and its alarm time) after a call, before its
   * answer leaves; 5xx: not stored.
   */
  replicate: defineRoute('POST', '/internal/durable-objects/replicate'),
  /** Several nodes: POST a Forward of a ForwardedFetch → the owner node's response. */
  forwardFetch: defineRoute('POST', '/internal/durable-objects/forward/fetch'),
  /** Several nodes: POST a Forward of a ForwardedCall → a CallOutcome. */
  forwardCall: defineRoute('POST', '/internal/durable-objects/forward/call'),
} as const

/** An object as the objects process names it: namespace, id, and its ObjectHost's id (`key`). */
export interface ObjectRef {
  namespaceId: string
  objectId: string
  key: string
}

/** What the object's host sends to `replicate`: the object, and its pending alarm (null: none). */
export interface Replication extends ObjectRef {
  alarmAt: number | null
}

/** `from`: the gate (before it opens the object) or the object's host itself (an alarm). */
export interface PlaceRequest extends ObjectRef {
  from: 'gate' | 'host'
}

/** Where a call of an object goes, as Node answers the objects process. */
export type ObjectPlace =
  /** This node owns the object and its files are current: run the call. */
  | { where: 'here' }
  /** Another node owns it: forward the call there. `evict`: it may be open here, stale. */
  | { where: 'remote'; address: string; evict: boolean }
  /** This node just took it, but an old instance may be open here: evict it, then ask again. */
  | { where: 'evict-first' }

/** A stub's fetch forwarded to the owner node (buffered: calls between nodes are signed whole). */
export interface ForwardedFetch {
  namespaceId: string
  objectId: string
  method: string
  url: string
  headers: [string, string][]
  /** base64, or null for none */
  body: string | null
}

/** One RPC call forwarded to the owner node: arguments and result must be JSON. */
export interface ForwardedCall {
  namespaceId: string
  objectId: string
  /** The name the stub was made from (its object's ctx.id.name), when it was. */
  name?: string
  method: string
  args: unknown[]
}

export interface Forward<T> {
  address: string
  call: T
}

/** Node's POST to the objects process's CONTROL.objectsWake, and its answer. */
export interface WakeRequest {
  namespaceId: string
  objectId: string
}
/**
 * `woken`: started on this node (its alarm armed); false: another node owns it, or `error`.
 * `gone`: its namespace was deleted, so its alarm is dropped from the list.
 */
export interface WakeOutcome {
  woken: boolean
  gone?: boolean
  error?: string
}

/** An RPC call's result as it crosses nodes. */
export type CallOutcome = { ok: true; value: unknown } | { ok: false; error: string; name?: string; moved?: boolean }

/** Why a forwarded call was refused: the object moved on (the caller asks the store again). */
export const OBJECT_MOVED = 'the Durable Object moved to another node while the call was on its way; try again'

/** The facet's RPC method answering the rows its storage read and wrote (shims/isolate/storage-meter.ts). */
export const DO_STORAGE_ROWS_METHOD = '__workerhiveStorageRows'

/** Headers between the caller's process, the objects gate and the object's host. */
export const DO_HEADERS = {
  /** The object's id (64 hex digits), set by the stub in the caller's isolate. */
  id: 'x-workerhive-do-id',
  /**
   * The name an id was made from (idFromName/getByName), URI-encoded; the host keeps it only when
   * it hashes to the id, so the object's ctx.id.name is never a name another caller made up.
   */
  name: 'x-workerhive-do-name',
  /** The namespace, set by the host from the binding's props (never the caller's). */
  namespace: 'x-workerhive-do-namespace',
  /** Marks the host's alarm delivery to the customer's class (shims/isolate/durable-object.ts). */
  alarm: 'x-workerhive-do-alarm',
  /** Marks a call another node forwarded here: it is never forwarded again. */
  forwarded: 'x-workerhive-do-forwarded',
  /** On the refusal of a forwarded call: this node does not own the object (any more). */
  moved: 'x-workerhive-do-moved',
} as const

/**
 * The first 48 hex digits of a named object's id: SHA-256 of the namespace and the name (the rest is
 * a MAC of the namespace; isolate/durable-object-namespace.ts makes ids the same way).
 */
export const nameDigestInput = (namespaceId: string, name: string): string => `${namespaceId}:name:${name}`

/** Cloudflare's object ids: 64 lowercase hex digits. */
export const OBJECT_ID = /^[0-9a-f]{64}$/
