import type { StoredBinding } from '../../storage/store.js'
import { field } from '../stored.js'
import type { R2HostBinding } from './wire.js'

export const r2ToHost = (b: StoredBinding): R2HostBinding => ({ type: 'r2', name: b.name, bucket: field(b, 'bucket_name') })
