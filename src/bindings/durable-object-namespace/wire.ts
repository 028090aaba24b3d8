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
