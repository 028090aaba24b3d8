import type { StoredBinding } from '../../storage/store.js'
import type { HostBindingContext } from '../kind.js'
import { field } from '../stored.js'
import type { DispatchHostBinding } from './wire.js'

/** The namespace by id (it is looked up by name once); none if it was deleted since. */
export async function dispatchToHost(b: StoredBinding, ctx: HostBindingContext): Promise<DispatchHostBinding | undefined> {
  const ns = await ctx.store.namespaces.get(ctx.accountId, field(b, 'namespace'))
  if (!ns) return undefined
  const outbound = b.outbound as { worker?: { service?: string; entrypoint?: string }; params?: Array<{ name: string }> } | undefined
  return {
    type: 'dispatch',
    name: b.name,
    namespaceId: ns.id,
    namespaceName: ns.name,
    ...(outbound?.worker?.service
      ? {
          outbound: {
            service: outbound.worker.service,
            ...(outbound.worker.entrypoint ? { entrypoint: outbound.worker.entrypoint } : {}),
            params: (outbound.params ?? []).map((p) => p.name),
          },
        }
      : {}),
  }
}
