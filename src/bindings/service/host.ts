import type { StoredBinding } from '../../storage/store.js'
import { field, isRecord } from '../stored.js'
import type { ServiceHostBinding } from './wire.js'

export const serviceToHost = (b: StoredBinding): ServiceHostBinding => ({
  type: 'service',
  name: b.name,
  service: field(b, 'service'),
  ...(b.entrypoint ? { entrypoint: field(b, 'entrypoint') } : {}),
  ...(isRecord(b.props) ? { props: b.props } : {}),
})
