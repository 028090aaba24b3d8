import { defineWorkerBindingKind } from '../worker-kind.worker.js'
import type { JsonHostBinding } from './wire.js'

export const jsonKind = defineWorkerBindingKind<JsonHostBinding>({ type: 'json', envValue: (b) => b.value })
