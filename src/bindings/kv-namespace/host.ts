import type { StoredBinding } from '../../storage/store.js'
import { field } from '../stored.js'
import type { KvHostBinding } from './wire.js'

export const kvToHost = (b: StoredBinding): KvHostBinding => ({ type: 'kv', name: b.name, namespaceId: field(b, 'namespace_id') })
