import type { HostBinding } from '../../shared/protocol.js'

export interface JsonHostBinding extends HostBinding {
  type: 'json'
  value: unknown
}
