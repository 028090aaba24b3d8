// The workerd halves of the binding kinds, one line each (Node's halves: index.ts). The loader and
// the bindings module find a binding's kind here by its HostBinding type.
import type { HostBinding } from '../shared/protocol.js'
import { assetsKind } from './assets/kind.worker.js'
import { dispatchKind } from './dispatch-namespace/kind.worker.js'
import { durableObjectKind } from './durable-object-namespace/kind.worker.js'
import { jsonKind } from './json/kind.worker.js'
import { kvKind } from './kv-namespace/kind.worker.js'
import { d1Kind } from './d1/kind.worker.js'
import { textKind } from './plain-text/kind.worker.js'
import { r2Kind } from './r2-bucket/kind.worker.js'
import { queueKind } from './queue/kind.worker.js'
import { secretKeyKind } from './secret-key/kind.worker.js'
import { serviceKind } from './service/kind.worker.js'
import { versionKind } from './version-metadata/kind.worker.js'
import { moduleKind } from './wasm-module/kind.worker.js'
import type { WorkerBindingKind } from './worker-kind.worker.js'

const kinds: readonly WorkerBindingKind[] = [
  textKind,
  jsonKind,
  kvKind,
  d1Kind,
  r2Kind,
  dispatchKind,
  serviceKind,
  secretKeyKind,
  moduleKind,
  assetsKind,
  versionKind,
  durableObjectKind,
  queueKind,
]

const byType = new Map(kinds.map((k) => [k.type, k]))

/** The workerd half of a binding's kind; undefined for a type this host does not know. */
export const workerKindOf = (b: HostBinding): WorkerBindingKind | undefined => byType.get(b.type)
