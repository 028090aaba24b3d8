import type { InternalHandler, InternalHandlerDeps } from '../kind.js'
import { DO_WIRE, type DurableObjectNamespaceInfo } from './wire.js'

/**
 * Node's half of the Durable Object binding: where a namespace lives now. The host asks when an
 * object starts (and again after its script changes), so a rename or transfer migration moves
 * every object of the namespace to its new class with its storage.
 */
export function durableObjectInternal(deps: InternalHandlerDeps): InternalHandler[] {
  return [
    {
      route: DO_WIRE.namespace,
      async handle(_request, params) {
        const ns = await deps.store.durableObjects.get(params.id ?? '')
        const info: DurableObjectNamespaceInfo = ns
          ? { found: true, accountId: ns.accountId, namespaceId: ns.namespaceId ?? '', script: ns.scriptName, className: ns.className }
          : { found: false }
        return Response.json(info)
      },
    },
  ]
}
