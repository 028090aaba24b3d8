import { defineWorkerBindingKind } from '../worker-kind.worker.js'
import type { VersionHostBinding } from './wire.js'

export const versionKind = defineWorkerBindingKind<VersionHostBinding>({
  type: 'version',
  envValue: (b) => ({ id: b.id, tag: b.tag, timestamp: b.timestamp }),
})
