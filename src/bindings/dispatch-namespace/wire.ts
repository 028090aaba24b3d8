import type { HostBinding } from '../../shared/protocol.js'

/** The namespace's Outbound Worker as the binding declares it (`outbound.worker`, `params` names). */
export interface DeclaredOutbound {
  service: string
  entrypoint?: string
  params: string[]
}

export interface DispatchHostBinding extends HostBinding {
  type: 'dispatch'
  namespaceId: string
  namespaceName: string
  outbound?: DeclaredOutbound
}

/** Carries `{name, options}` of a dispatch from a dispatch Worker's shim to the host's gateway. */
export const DISPATCH_HEADER = 'x-workerhive-dispatch'
