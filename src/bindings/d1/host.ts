import type { StoredBinding } from '../../storage/store.js'
import { field } from '../stored.js'
import type { D1HostBinding } from './wire.js'

/** wrangler uploads `id`; the API's own views and older clients say `database_id`. */
export const d1DatabaseIdOf = (b: StoredBinding): string => field(b, 'id') || field(b, 'database_id')

export const d1ToHost = (b: StoredBinding): D1HostBinding => ({ type: 'd1', name: b.name, databaseId: d1DatabaseIdOf(b) })
