import type { HostBinding } from '../../shared/protocol.js'

/** A text value in env: plain_text and secret_text bindings alike. */
export interface TextHostBinding extends HostBinding {
  type: 'text'
  value: string
}
