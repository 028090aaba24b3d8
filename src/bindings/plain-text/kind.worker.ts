import { defineWorkerBindingKind } from '../worker-kind.worker.js'
import type { TextHostBinding } from './wire.js'

export const textKind = defineWorkerBindingKind<TextHostBinding>({ type: 'text', envValue: (b) => b.value })
