import type { HostBinding } from '../../shared/protocol.js'

export interface AssetsHostBinding extends HostBinding {
  type: 'assets'
}
