// The entrypoint classes of the binding kinds. workerd reaches a class through ctx.exports only
// when the host's main module exports it, so entry.worker.ts re-exports this list; a unit test
// (test/unit/binding-kinds.test.ts) checks it names every WorkerEntrypoint under src/bindings.
export { Assets } from './assets/assets.worker.js'
export { DispatchNamespace, UserWorker } from './dispatch-namespace/dispatch.worker.js'
export { KvNamespace } from './kv-namespace/kv.worker.js'
export { D1Binding } from './d1/d1.worker.js'
export { R2BucketBinding } from './r2-bucket/r2.worker.js'
export { QueueProducer } from './queue/queue.worker.js'
export { ServiceBinding } from './service/service.worker.js'
export { DurableObjectBinding } from './durable-object-namespace/durable-object.worker.js'
export { ObjectAlarms, ObjectHost, ObjectsGate } from './durable-object-namespace/objects.worker.js'
