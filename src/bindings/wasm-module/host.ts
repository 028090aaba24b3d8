import type { StoredBinding } from '../../storage/store.js'
import { field } from '../stored.js'
import type { ModuleHostBinding } from './wire.js'

/** wasm_module, text_blob and data_blob: the part the binding names (text-blob and data-blob use this too). */
export const moduleToHost =
  (kind: ModuleHostBinding['kind']) =>
  (b: StoredBinding): ModuleHostBinding => ({ type: 'module', name: b.name, part: field(b, 'part'), kind })
