import type { StoredBinding } from '../../storage/store.js'
import type { AssetsHostBinding } from './wire.js'

export const assetsToHost = (b: StoredBinding): AssetsHostBinding => ({ type: 'assets', name: b.name })
