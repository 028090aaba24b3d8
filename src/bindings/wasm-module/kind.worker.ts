import { defineWorkerBindingKind } from '../worker-kind.worker.js'
import type { ModuleHostBinding } from './wire.js'

/** Module parts are globals of service-worker scripts (imported by their setup module), not env values. */
export const moduleKind = defineWorkerBindingKind<ModuleHostBinding>({ type: 'module', partGlobal: (b) => b.part })
