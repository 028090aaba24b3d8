import type { StoredBinding } from '../../storage/store.js'
import { field } from '../stored.js'
import type { TextHostBinding } from './wire.js'

/** plain_text and secret_text: the text itself (a secret's value leaves Node only towards workerd). */
export const textToHost = (b: StoredBinding): TextHostBinding => ({ type: 'text', name: b.name, value: field(b, 'text') })
