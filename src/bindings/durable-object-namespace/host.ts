import type { StoredBinding } from '../../storage/store.js'
import { field } from '../stored.js'
import type { DurableObjectHostBinding } from './wire.js'

/** The host needs only the namespace: which script implements it now is asked when an object starts. */
export const durableObjectToHost = (b: StoredBinding): DurableObjectHostBinding | undefined => {
  const namespaceId = field(b, 'namespace_id')
  return namespaceId ? { type: 'durable_object_namespace', name: b.name, namespaceId } : undefined
}
