import type { HostBinding } from '../../shared/protocol.js'

export interface ServiceHostBinding extends HostBinding {
  type: 'service'
  service: string
  entrypoint?: string
  props?: Record<string, unknown>
}
