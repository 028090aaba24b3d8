import type { StoredBinding } from '../../storage/store.js'
import { field } from '../stored.js'
import type { QueueHostBinding } from './wire.js'

export const queueToHost = (b: StoredBinding): QueueHostBinding => ({ type: 'queue', name: b.name, queueName: field(b, 'queue_name') })
