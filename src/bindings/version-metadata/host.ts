import type { StoredBinding } from '../../storage/store.js'
import type { HostBindingContext } from '../kind.js'
import type { VersionHostBinding } from './wire.js'

export const versionToHost = (b: StoredBinding, { version }: HostBindingContext): VersionHostBinding => ({
  type: 'version',
  name: b.name,
  id: version.id,
  tag: version.annotations['workers/tag'] ?? '',
  timestamp: version.createdOn,
})
