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
} as const

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
} as const

/**
 * The first 48 hex digits of a named object's id: SHA-256 of the namespace and the name (the rest is
 * a MAC of the namespace; isolate/durable-object-namespace.ts makes ids the same way).
 */
export const nameDigestInput = (namespaceId: string, name: string): string => `${namespaceId}:name:${name}`

/** Cloudflare's object ids: 64 lowercase hex digits. */
export const OBJECT_ID = /^[0-9a-f]{64}$/
