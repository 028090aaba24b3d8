import type { StoredBinding } from '../../storage/store.js'
import type { JsonHostBinding } from './wire.js'

export const jsonToHost = (b: StoredBinding): JsonHostBinding => ({ type: 'json', name: b.name, value: b.json })
