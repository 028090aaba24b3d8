import type { HostBinding } from '../../shared/protocol.js'

/** A module part of the upload bound by name: wasm_module, text_blob and data_blob alike. */
export interface ModuleHostBinding extends HostBinding {
  type: 'module'
  part: string
  kind: 'wasm' | 'text' | 'data'
}
