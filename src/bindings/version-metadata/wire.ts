import type { HostBinding } from '../../shared/protocol.js'

export interface VersionHostBinding extends HostBinding {
  type: 'version'
  id: string
  tag: string
  timestamp: string
}
